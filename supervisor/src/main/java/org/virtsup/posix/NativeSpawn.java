package org.virtsup.posix;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * posix_spawn with the file actions and attributes the supervisor's children
 * need. Not jnr-posix's spawn: that one hands every descriptor of the JVM to
 * the child and leaves it with the JVM's blocked signals.
 */
final class NativeSpawn {
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336
    // bytes on x86_64; both are opaque and only ever touched by libc, so they
    // get ample room in case another libc or architecture lays them out larger.
    private static final int FILE_ACTIONS_SIZE = 1024;
    private static final int ATTRIBUTES_SIZE = 1024;
    // Linux's sigset_t in glibc is 1024 bits (128 bytes), of which the kernel
    // uses 64: signal n is bit (n - 1) of the first 64-bit word.
    private static final int SIGSET_SIZE = 128;

    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames;
    private final boolean closeFromAvailable;

    /** {@code useCloseFrom} false forces the /proc/self/fd listing, for testing it where closefrom exists. */
    NativeSpawn(LibC libc, Runtime runtime, ErrnoNames errnoNames, boolean useCloseFrom) {
        this.libc = libc;
        this.runtime = runtime;
        this.errnoNames = errnoNames;
        this.closeFromAvailable = useCloseFrom && probeCloseFrom();
    }

    /** Whether descriptors are closed with glibc's closefrom action (else from a /proc/self/fd listing). */
    boolean closesWithCloseFrom() {
        return closeFromAvailable;
    }

    int spawn(SpawnSpec spec) {
        Pointer fileActions = Memory.allocateDirect(runtime, FILE_ACTIONS_SIZE, true);
        Pointer attributes = Memory.allocateDirect(runtime, ATTRIBUTES_SIZE, true);
        Pointer emptySet = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        Pointer allSignals = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        // Every signal 1..64 back to SIG_DFL, set bit by bit: sigfillset leaves out
        // glibc's internal signals 32 and 33, which glibc's spawn then hands to the
        // child as ignored (measured: SigIgn 0x180000000 in the child).
        allSignals.putLong(0, -1L);
        Pointer argv = stringArray(runtime, spec.argv());
        Pointer envp = stringArray(runtime, spec.environmentStrings());

        check(libc.posix_spawn_file_actions_init(fileActions), spec);
        try {
            check(libc.posix_spawnattr_init(attributes), spec);
            try {
                addDescriptors(fileActions, spec);
                check(libc.posix_spawnattr_setflags(attributes,
                        (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)),
                        spec);
                check(libc.posix_spawnattr_setsigmask(attributes, emptySet), spec);
                check(libc.posix_spawnattr_setsigdefault(attributes, allSignals), spec);
                check(libc.posix_spawnattr_setpgroup(attributes, 0), spec);
                int[] pid = new int[1];
                check(libc.posix_spawn(pid, spec.path(), fileActions, attributes, argv, envp), spec);
                return pid[0];
            } finally {
                libc.posix_spawnattr_destroy(attributes);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(fileActions);
            Reference.reachabilityFence(fileActions);
            Reference.reachabilityFence(attributes);
            Reference.reachabilityFence(emptySet);
            Reference.reachabilityFence(allSignals);
            Reference.reachabilityFence(argv);
            Reference.reachabilityFence(envp);
        }
    }

    /**
     * File actions run in order, so copying a descriptor straight onto its
     * target could overwrite a source still to be copied (stdout given as fd 0,
     * or a passed socket that is the JVM's fd 4 going to 3 while fd 3 goes to
     * 4): then all sources are first copied above every one of them. dup2 also
     * yields descriptors without close-on-exec, which the pipes of
     * {@link Posix#pipe()} and the sockets of {@link Posix#listenUnix} have.
     * Everything above the last target is closed last.
     */
    private void addDescriptors(Pointer fileActions, SpawnSpec spec) {
        List<Integer> sourceList = new ArrayList<>(List.of(spec.stdin(), spec.stdout(), spec.stderr()));
        sourceList.addAll(spec.passed());
        int[] sources = sourceList.stream().mapToInt(Integer::intValue).toArray();
        int count = sources.length;
        boolean overlapping = false;
        int highest = count - 1;
        for (int target = 0; target < count; target++) {
            overlapping |= sources[target] >= 0 && sources[target] < count && sources[target] != target;
            highest = Math.max(highest, sources[target]);
        }
        int scratch = highest + 1;
        int[] copies = sources.clone();
        if (overlapping) {
            for (int target = 0; target < count; target++) {
                if (sources[target] >= 0) {
                    copies[target] = scratch + target;
                    check(libc.posix_spawn_file_actions_adddup2(fileActions, sources[target], copies[target]), spec);
                }
            }
        }
        for (int target = 0; target < count; target++) {
            if (copies[target] >= 0) {
                check(libc.posix_spawn_file_actions_adddup2(fileActions, copies[target], target), spec);
            } else {
                check(libc.posix_spawn_file_actions_addopen(fileActions, target, "/dev/null",
                        target == 0 ? O_RDONLY : O_WRONLY, 0), spec);
            }
        }
        if (closeFromAvailable) {
            check(libc.posix_spawn_file_actions_addclosefrom_np(fileActions, count), spec);
        } else {
            // Descriptors opened by other threads after this listing would leak;
            // glibc ignores close actions on descriptors that are already closed.
            List<Integer> open = openDescriptors();
            for (int target = 0; overlapping && target < count; target++) {
                open.add(scratch + target);
            }
            for (int fd : open) {
                if (fd >= count) {
                    check(libc.posix_spawn_file_actions_addclose(fileActions, fd), spec);
                }
            }
        }
    }

    private static List<Integer> openDescriptors() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("spawn: cannot list /proc/self/fd to close the JVM's descriptors", e);
        }
        return fds;
    }

    private boolean probeCloseFrom() {
        Pointer probe = Memory.allocateDirect(runtime, FILE_ACTIONS_SIZE, true);
        if (libc.posix_spawn_file_actions_init(probe) != 0) {
            return false;
        }
        try {
            return libc.posix_spawn_file_actions_addclosefrom_np(probe, 3) == 0;
        } catch (UnsatisfiedLinkError older) {
            return false; // glibc before 2.34
        } finally {
            libc.posix_spawn_file_actions_destroy(probe);
        }
    }

    /** A NULL-terminated array of pointers to NUL-terminated UTF-8 strings, all in one block. */
    static Pointer stringArray(Runtime runtime, List<String> strings) {
        int addressSize = runtime.addressSize();
        List<byte[]> encoded = strings.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        long pointersSize = (long) (strings.size() + 1) * addressSize;
        long size = pointersSize + encoded.stream().mapToLong(bytes -> bytes.length + 1L).sum();
        Pointer block = Memory.allocateDirect(runtime, size, true);
        long offset = pointersSize;
        for (int i = 0; i < encoded.size(); i++) {
            byte[] bytes = encoded.get(i);
            block.put(offset, bytes, 0, bytes.length); // the block is zeroed: the NUL is there
            block.putAddress((long) i * addressSize, block.address() + offset);
            offset += bytes.length + 1;
        }
        return block;
    }

    private void check(int errorNumber, SpawnSpec spec) {
        if (errorNumber != 0) {
            throw errnoNames.exception("spawn", spec.path(), errorNumber);
        }
    }
}

package org.virtsup.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * execve in place, for a live re-exec: the JVM opens descriptors without
 * close-on-exec here and there (jar files, sockets of jnr), so rather than
 * trust each opener, every descriptor above 2 is marked close-on-exec right
 * before the call, except the ones meant to cross.
 */
final class NativeExec {
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int SIG_UNBLOCK = 1;
    private static final int SIG_SETMASK = 2;
    // x86_64 glibc struct sigaction: the handler first; mask and flags zero.
    private static final int SIGACTION_SIZE = 256;
    private static final long SIG_IGN = 1;
    private static final int SIGSET_SIZE = 128;
    private static final long SYS_CLOSE_RANGE = 436;
    private static final long CLOSE_RANGE_CLOEXEC = 4;
    private static final long ALL_DESCRIPTORS = 0xFFFF_FFFFL;
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames;

    NativeExec(LibC libc, Runtime runtime, ErrnoNames errnoNames) {
        this.libc = libc;
        this.runtime = runtime;
        this.errnoNames = errnoNames;
    }

    void execInPlace(String path, List<String> argv, List<String> environment, Set<Integer> inherited,
                     Set<Integer> held) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("execve " + path + ": argv must hold at least argv[0]");
        }
        for (int fd : inherited) {
            if (libc.fcntl(fd, F_GETFD, 0L) < 0) {
                throw errnoNames.exception("fcntl F_GETFD", "fd " + fd, runtime.getLastError());
            }
        }
        Pointer argvBlock = NativeSpawn.stringArray(runtime, argv);
        Pointer envBlock = NativeSpawn.stringArray(runtime, environment);
        Pointer heldSet = signalSet(held);
        Pointer previousMask = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        Pointer ignore = Memory.allocateDirect(runtime, SIGACTION_SIZE, true);
        ignore.putAddress(0, SIG_IGN);
        Map<Integer, Pointer> previousActions = new TreeMap<>();
        // Every descriptor at once (Linux 5.11+), so that none another thread opens while they are marked one by
        // one slips through; then the listing, for older kernels. A descriptor closed meanwhile fails with EBADF.
        libc.syscall(SYS_CLOSE_RANGE, 3, ALL_DESCRIPTORS, CLOSE_RANGE_CLOEXEC);
        for (int fd : openDescriptors()) {
            if (!inherited.contains(fd)) {
                libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
        }
        for (int fd : inherited) {
            libc.fcntl(fd, F_SETFD, 0L);
        }
        // Blocked first: setting an action to ignored discards a signal that is pending and not blocked.
        libc.sigprocmask(SIG_SETMASK, heldSet, previousMask);
        for (int signal : held) {
            Pointer previous = Memory.allocateDirect(runtime, SIGACTION_SIZE, true);
            if (libc.sigaction(signal, ignore, previous) == 0) {
                previousActions.put(signal, previous);
            }
        }
        libc.execve(path, argvBlock, envBlock);
        int errno = runtime.getLastError();
        previousActions.forEach((signal, previous) -> libc.sigaction(signal, previous, null));
        libc.sigprocmask(SIG_SETMASK, previousMask, null);
        for (int fd : inherited) {
            libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        throw errnoNames.exception("execve", path, errno);
    }

    void takeBackSignals(Set<Integer> signals, Runnable installHandlers) {
        Pointer defaults = Memory.allocateDirect(runtime, SIGACTION_SIZE, true); // SIG_DFL, no flags
        for (int signal : signals) {
            if (libc.sigaction(signal, defaults, null) != 0) {
                throw errnoNames.exception("sigaction", Signals.name(signal), runtime.getLastError());
            }
        }
        installHandlers.run();
        if (libc.sigprocmask(SIG_UNBLOCK, signalSet(signals), null) != 0) {
            throw errnoNames.exception("sigprocmask", "SIG_UNBLOCK", runtime.getLastError());
        }
    }

    /** A sigset_t of {@code signals}: bit n-1 for signal n, in 64-bit words (little endian on x86_64). */
    private Pointer signalSet(Set<Integer> signals) {
        Pointer set = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        for (int signal : signals) {
            if (signal < 1 || signal > Signals.MAX) {
                throw new IllegalArgumentException("no signal " + signal);
            }
            int bit = signal - 1;
            set.putByte(bit / 8, (byte) (set.getByte(bit / 8) | (1 << (bit % 8))));
        }
        return set;
    }

    private static List<Integer> openDescriptors() {
        List<Integer> descriptors = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(OWN_DESCRIPTORS)) {
            for (Path entry : entries) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (fd > 2) {
                    descriptors.add(fd);
                }
            }
        } catch (IOException e) {
            throw new PosixException("list", OWN_DESCRIPTORS.toString(), Errno.EIO);
        }
        return descriptors;
    }
}

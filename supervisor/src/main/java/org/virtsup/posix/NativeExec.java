package org.virtsup.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
    private static final int SIG_SETMASK = 2;
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

    void execInPlace(String path, List<String> argv, List<String> environment, Set<Integer> inherited) {
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
        Pointer emptySet = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        Pointer previousMask = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
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
        libc.sigprocmask(SIG_SETMASK, emptySet, previousMask);
        libc.execve(path, argvBlock, envBlock);
        int errno = runtime.getLastError();
        libc.sigprocmask(SIG_SETMASK, previousMask, null);
        for (int fd : inherited) {
            libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        throw errnoNames.exception("execve", path, errno);
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

package org.virtsup.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Process file descriptors: how virtsup watches a daemon it did not spawn
 * (an earlier virtsup's, adopted) and takes its listening sockets back.
 * Raw system calls (x86_64 numbers): glibc wraps them only since 2.36.
 */
final class NativePidfd {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final short POLLIN = 0x1;
    private static final short POLLNVAL = 0x20;
    private static final int EBADF = 9;
    private static final int EINTR = 4;
    // struct pollfd: int fd; short events; short revents.
    private static final int POLLFD_SIZE = 8;
    private static final int POLLFD_REVENTS = 6;

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames;

    NativePidfd(LibC libc, Runtime runtime, ErrnoNames errnoNames) {
        this.libc = libc;
        this.runtime = runtime;
        this.errnoNames = errnoNames;
    }

    int open(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pidfd_open " + pid + ": a process is named by a positive pid");
        }
        // A pidfd is always close-on-exec (the kernel sets O_CLOEXEC itself).
        long fd = libc.syscall(SYS_PIDFD_OPEN, pid, 0, 0);
        if (fd < 0) {
            throw errnoNames.exception("pidfd_open", Integer.toString(pid), runtime.getLastError());
        }
        return (int) fd;
    }

    boolean awaitExit(int pidfd, int timeoutMillis) {
        Pointer poll = Memory.allocateDirect(runtime, POLLFD_SIZE, true);
        poll.putInt(0, pidfd);
        poll.putShort(4, POLLIN);
        int ready = libc.poll(poll, 1, timeoutMillis);
        if (ready < 0) {
            int errno = runtime.getLastError();
            if (errno == EINTR) {
                return false; // the caller asks again
            }
            throw errnoNames.exception("poll", "pidfd " + pidfd, errno);
        }
        short events = poll.getShort(POLLFD_REVENTS);
        if ((events & POLLNVAL) != 0) {
            throw errnoNames.exception("poll", "pidfd " + pidfd, EBADF);
        }
        return ready > 0 && (events & POLLIN) != 0;
    }

    int getfd(int pidfd, int targetFd) {
        long fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, targetFd, 0);
        if (fd < 0) {
            throw errnoNames.exception("pidfd_getfd", "fd " + targetFd + " of pidfd " + pidfd,
                    runtime.getLastError());
        }
        return (int) fd;
    }
}

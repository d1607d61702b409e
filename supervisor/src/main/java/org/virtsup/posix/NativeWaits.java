package org.virtsup.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import jnr.ffi.Runtime;

/**
 * The calls that wait on, or look at, one descriptor or one child: poll(2) on
 * a single descriptor and waitpid(2) of a single pid.
 */
final class NativeWaits {
    private static final int EINTR = 4;
    private static final int POLLFD_BYTES = 8;
    private static final int POLLFD_REVENTS = 6;
    private static final short POLLIN = 0x001;
    private static final short POLLERR = 0x008;
    private static final short POLLHUP = 0x010;
    private static final short POLLNVAL = 0x020;

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames;

    NativeWaits(LibC libc, Runtime runtime, ErrnoNames errnoNames) {
        this.libc = libc;
        this.runtime = runtime;
        this.errnoNames = errnoNames;
    }

    boolean peerClosed(int fd) {
        // events 0: POLLHUP, POLLERR and POLLNVAL are reported whatever is asked
        short revents = poll(fd, (short) 0, 0);
        return (revents & (POLLHUP | POLLERR)) != 0;
    }

    /** POLLHUP (every writer gone) makes a read return 0 at once: that is readable too. */
    boolean awaitReadable(int fd, int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("poll fd " + fd + ": a timeout of " + timeoutMillis
                    + " ms would wait for ever");
        }
        return (poll(fd, POLLIN, timeoutMillis) & (POLLIN | POLLHUP | POLLERR)) != 0;
    }

    ExitStatus waitPid(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("waitpid " + pid + ": only one child (pid > 0) may be waited for");
        }
        int[] status = new int[1];
        while (libc.waitpid(pid, status, 0) != pid) {
            int errno = runtime.getLastError();
            if (errno != EINTR) {
                throw errnoNames.exception("waitpid", Integer.toString(pid), errno);
            }
        }
        return ExitStatus.fromWaitStatus(status[0]);
    }

    /** The revents of {@code fd}, 0 when the time ran out; an interrupted poll goes on for the time left. */
    private short poll(int fd, short events, int timeoutMillis) {
        ByteBuffer entry = ByteBuffer.allocate(POLLFD_BYTES).order(ByteOrder.nativeOrder());
        entry.putInt(0, fd).putShort(4, events);
        byte[] pollfd = entry.array();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int left = timeoutMillis;
        while (libc.poll(pollfd, 1, left) < 0) {
            int errno = runtime.getLastError();
            if (errno != EINTR) {
                throw errnoNames.exception("poll", "fd " + fd, errno);
            }
            left = (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999));
        }
        short revents = ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).getShort(POLLFD_REVENTS);
        if ((revents & POLLNVAL) != 0) {
            throw new PosixException("poll", "fd " + fd, Errno.EBADF);
        }
        return revents;
    }
}

package org.virtsup.posix;

/**
 * The errno values the supervisor meets, with their Linux numbers. Any other
 * value is {@link #OTHER}; {@link PosixException#errnoName()} still names it.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), ENOEXEC(8), EBADF(9),
    ECHILD(10), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), EXDEV(18),
    ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ETXTBSY(26), EFBIG(27), ENOSPC(28),
    ESPIPE(29), EROFS(30), EMLINK(31), EPIPE(32), ENAMETOOLONG(36), ENOSYS(38), ENOTEMPTY(39),
    ELOOP(40), ENOPROTOOPT(92), ENOTSOCK(88), EAFNOSUPPORT(97), EADDRINUSE(98), EADDRNOTAVAIL(99),
    ECONNREFUSED(111), ENOTCONN(107), ERANGE(34),
    /** Anything not listed above. */
    OTHER(-1);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The Linux number, -1 for {@link #OTHER}. */
    public int number() {
        return number;
    }

    public static Errno of(int number) {
        for (Errno errno : values()) {
            if (errno.number == number) {
                return errno;
            }
        }
        return OTHER;
    }
}

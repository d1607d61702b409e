package org.virtsup.posix;

/** Turns errno numbers from libc into {@link PosixException}s that name them. */
final class ErrnoNames {

    PosixException exception(String operation, String subject, int errorNumber) {
        Errno errno = Errno.of(errorNumber);
        return errno == Errno.OTHER
                ? new PosixException(operation, subject, errno, nameOf(errorNumber))
                : new PosixException(operation, subject, errno);
    }

    /** Names errnos outside {@link Errno} from jnr-constants' table of this platform. */
    private static String nameOf(int errorNumber) {
        jnr.constants.platform.Errno known = jnr.constants.platform.Errno.valueOf(errorNumber);
        return known.defined() && known.intValue() == errorNumber ? known.name() : "errno " + errorNumber;
    }
}

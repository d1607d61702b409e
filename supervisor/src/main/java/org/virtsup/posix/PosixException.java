package org.virtsup.posix;

/**
 * A system call failed. The message is {@code operation subject: ERRNO}, e.g.
 * {@code chown /run/libvirt: EPERM}, so that it can be shown to an operator as is.
 */
public final class PosixException extends RuntimeException {
    private final String operation;
    private final String subject;
    private final Errno errno;
    private final String errnoName;

    public PosixException(String operation, String subject, Errno errno) {
        this(operation, subject, errno, errno.name());
    }

    /** For an errno outside {@link Errno}: {@code errnoName} is its real name, e.g. "EDQUOT" or "errno 122". */
    public PosixException(String operation, String subject, Errno errno, String errnoName) {
        super((subject.isEmpty() ? operation : operation + " " + subject) + ": " + errnoName);
        this.operation = operation;
        this.subject = subject;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    public Errno errno() {
        return errno;
    }

    /** The errno's own name, also when {@link #errno()} is {@link Errno#OTHER}. */
    public String errnoName() {
        return errnoName;
    }

    /** e.g. "chown", "spawn", "kill". */
    public String operation() {
        return operation;
    }

    /** The path, pid or descriptor the operation was about; empty for pipe. */
    public String subject() {
        return subject;
    }
}

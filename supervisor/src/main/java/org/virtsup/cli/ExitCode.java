package org.virtsup.cli;

/** virtsup's documented exit codes. */
public final class ExitCode {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /** status: a service is not running. */
    public static final int NOT_RUNNING = 3;
    /** The supervisor cannot be reached on its control socket. */
    public static final int UNREACHABLE = 4;
    /** sysexits.h's EX_CONFIG. */
    public static final int INVALID_CONFIGURATION = 78;

    private ExitCode() {}
}

package org.virtsup.supervise;

/** The one timer a daemon may have armed at a time, by what its firing means. */
public enum TimerKind {
    /** Armed at spawn: not ready by then means a failed start. */
    START_TIMEOUT,
    /** Armed with SIGTERM: still alive by then means SIGKILL. */
    STOP_TIMEOUT,
    /** Armed with SIGKILL: still not reaped by then is worth an error in the journal (a process stuck in the kernel). */
    KILL_TIMEOUT,
    /** Armed on a failure: the restart is due. */
    BACKOFF
}

package org.virtsup.supervise;

/** What a daemon is doing, as opposed to what the operator wants of it ({@link Goal}). */
public enum Phase {
    /** No process. With goal UP: waiting to be started (for virtlogd to be running, for libvirtd). */
    STOPPED,
    /** Spawn asked for or done; not ready yet. A start timeout is armed once the pid is known. */
    STARTING,
    /** Ready: it said READY=1 or its socket answered. */
    RUNNING,
    /** SIGTERM sent; waiting for its exit, SIGKILL after the stop timeout. */
    STOPPING,
    /** It failed; a restart is due when the backoff timer fires. No process. */
    BACKOFF,
    /** It failed respawn-limit starts in a row; no further attempt until start, restart or a reload. */
    FAILED;

    /** True when no process of the daemon exists and none is being waited for. */
    public boolean atRest() {
        return this == STOPPED || this == FAILED;
    }
}

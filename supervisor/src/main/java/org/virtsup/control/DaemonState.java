package org.virtsup.control;

/** What a supervised daemon is doing, as the event loop's state machine sees it. */
public enum DaemonState {
    STOPPED, STARTING, RUNNING, STOPPING, BACKOFF, FAILED
}

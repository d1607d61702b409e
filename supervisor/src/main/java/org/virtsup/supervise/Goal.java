package org.virtsup.supervise;

/** What the operator (or the configuration) wants of a daemon, kept apart from its {@link Phase}. */
public enum Goal {
    UP,
    DOWN
}

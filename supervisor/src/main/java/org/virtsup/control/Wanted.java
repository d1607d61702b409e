package org.virtsup.control;

import java.util.Locale;

/** What the operator wants of a daemon, kept apart from what it is doing. */
public enum Wanted {
    UP, DOWN;

    /** {@code up} or {@code down}, as on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Wanted fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}

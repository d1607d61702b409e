package org.virtsup.config;

/** How bad a diagnostic is: an error stops virtsup, a warning does not. */
public enum Severity {
    ERROR,
    WARNING;

    /** The word used in {@code FILE:LINE:COL: error: MESSAGE}. */
    public String word() {
        return this == ERROR ? "error" : "warning";
    }
}

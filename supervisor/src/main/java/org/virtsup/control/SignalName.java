package org.virtsup.control;

import java.util.Locale;

/**
 * A signal as an operator names it: {@code HUP}, {@code SIGHUP}, {@code hup} or
 * a number. Kept as a number on the wire so that client and server need no
 * shared table beyond the common Linux numbers below.
 */
public record SignalName(int number) {

    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
        "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
        "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
    };

    /** Linux's highest real-time signal on x86-64 and arm64. */
    private static final int MAX = 64;

    public SignalName {
        if (number < 1 || number > MAX) {
            throw new IllegalArgumentException("signal number must be between 1 and " + MAX + ", not " + number);
        }
    }

    /**
     * Parses {@code HUP}, {@code SIGHUP} (any case) or a decimal number.
     *
     * @throws IllegalArgumentException naming what is accepted
     */
    public static SignalName parse(String text) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        if (!upper.isEmpty() && Character.isDigit(upper.charAt(0))) {
            try {
                return new SignalName(Integer.parseInt(upper));
            } catch (NumberFormatException e) {
                throw unknown(text);
            }
        }
        String bare = upper.startsWith("SIG") ? upper.substring(3) : upper;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(bare)) {
                return new SignalName(i);
            }
        }
        throw unknown(text);
    }

    private static IllegalArgumentException unknown(String text) {
        return new IllegalArgumentException("unknown signal '" + text
                + "': use a name such as HUP, USR1, TERM, KILL (with or without SIG) or a number from 1 to " + MAX);
    }

    /** {@code SIGHUP}, or {@code signal 40} for one without a name. */
    @Override
    public String toString() {
        return number < NAMES.length ? "SIG" + NAMES[number] : "signal " + number;
    }
}

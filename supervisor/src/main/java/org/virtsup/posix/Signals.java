package org.virtsup.posix;

import java.util.Locale;
import java.util.OptionalInt;

/** Linux signal numbers the supervisor sends or handles, and their names. */
public final class Signals {
    public static final int HUP = 1;
    public static final int INT = 2;
    public static final int QUIT = 3;
    public static final int ABRT = 6;
    public static final int KILL = 9;
    public static final int USR1 = 10;
    public static final int SEGV = 11;
    public static final int USR2 = 12;
    public static final int PIPE = 13;
    public static final int ALRM = 14;
    public static final int TERM = 15;
    public static final int CHLD = 17;
    public static final int CONT = 18;
    public static final int STOP = 19;

    /** Highest signal number on Linux (SIGRTMAX as the kernel counts). */
    public static final int MAX = 64;

    // Index = signal number; Linux x86_64 numbering.
    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    private Signals() {}

    /** "SIGKILL" for 9; real-time signals as "SIGRTMIN+n" (kernel numbering, SIGRTMIN = 32). */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal >= 32 && signal <= MAX) {
            return signal == 32 ? "SIGRTMIN" : "SIGRTMIN+" + (signal - 32);
        }
        return "signal " + signal;
    }

    /** {@code signal 9 (SIGKILL)}: how an exit status or a log names a signal. */
    public static String describe(int signal) {
        return "signal " + signal + " (" + name(signal) + ")";
    }

    /**
     * What an operator may write for a signal: a name with or without "SIG" in
     * any case ("TERM", "sigterm", "SIGTERM") or a number from 1 to {@link #MAX}.
     */
    public static OptionalInt parse(String text) {
        String trimmed = text.trim();
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
            if (trimmed.length() > 2) {
                return OptionalInt.empty();
            }
            int signal = Integer.parseInt(trimmed);
            return signal >= 1 && signal <= MAX ? OptionalInt.of(signal) : OptionalInt.empty();
        }
        return number(trimmed);
    }

    /** The number of a signal named with or without "SIG", in any case: "TERM", "sigterm", "SIGTERM". */
    public static OptionalInt number(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        String full = upper.startsWith("SIG") ? upper : "SIG" + upper;
        for (int signal = 1; signal < NAMES.length; signal++) {
            if (NAMES[signal].equals(full)) {
                return OptionalInt.of(signal);
            }
        }
        return OptionalInt.empty();
    }
}

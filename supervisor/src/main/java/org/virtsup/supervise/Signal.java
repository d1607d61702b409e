package org.virtsup.supervise;

import java.util.Optional;

/**
 * Signals by their Linux numbers (x86-64 and aarch64 share them). The executor
 * passes {@link #number()} to kill(2); exit statuses are described with
 * {@link #describe(int)}.
 */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10),
    SEGV(11), USR2(12), PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19),
    TSTP(20), TTIN(21), TTOU(22), URG(23), XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28),
    IO(29), PWR(30), SYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** {@code SIGTERM} and so on. */
    public String fullName() {
        return "SIG" + name();
    }

    public static Optional<Signal> ofNumber(int number) {
        for (Signal signal : values()) {
            if (signal.number == number) {
                return Optional.of(signal);
            }
        }
        return Optional.empty();
    }

    /**
     * The signal an operator names: {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}.
     */
    public static Optional<Signal> parse(String text) {
        String name = text.trim().toUpperCase(java.util.Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            return name.length() > 3 ? Optional.empty() : ofNumber(Integer.parseInt(name));
        }
        for (Signal signal : values()) {
            if (signal.name().equals(name)) {
                return Optional.of(signal);
            }
        }
        return Optional.empty();
    }

    /** {@code signal 9 (SIGKILL)}, or {@code signal 40} for a number without a name here. */
    public static String describe(int number) {
        return ofNumber(number)
                .map(signal -> "signal " + number + " (" + signal.fullName() + ")")
                .orElse("signal " + number);
    }
}

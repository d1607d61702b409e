package org.virtsup.supervise;

import java.util.Optional;
import java.util.OptionalInt;
import org.virtsup.posix.Signals;

/**
 * A signal by its Linux number, 1 to {@value Signals#MAX} (x86-64 and arm64
 * share them): what an operator may forward to a daemon, what the executor
 * passes to kill(2). Names and parsing come from the one table,
 * {@link Signals}, so that the command line, the control protocol and the
 * executor accept the same signals and name them alike.
 */
public record Signal(int number) {
    public static final Signal HUP = new Signal(Signals.HUP);
    public static final Signal KILL = new Signal(Signals.KILL);
    public static final Signal USR1 = new Signal(Signals.USR1);
    public static final Signal TERM = new Signal(Signals.TERM);

    public Signal {
        if (number < 1 || number > Signals.MAX) {
            throw new IllegalArgumentException("signal number must be between 1 and " + Signals.MAX + ", not "
                    + number);
        }
    }

    /** {@code SIGTERM}; {@code SIGRTMIN+8} for 40. */
    public String fullName() {
        return Signals.name(number);
    }

    @Override
    public String toString() {
        return fullName();
    }

    public static Optional<Signal> ofNumber(int number) {
        return number >= 1 && number <= Signals.MAX ? Optional.of(new Signal(number)) : Optional.empty();
    }

    /** The signal an operator names: {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}. */
    public static Optional<Signal> parse(String text) {
        OptionalInt number = Signals.parse(text);
        return number.isPresent() ? Optional.of(new Signal(number.getAsInt())) : Optional.empty();
    }

    /**
     * As {@link #parse}, for input that must name a signal.
     *
     * @throws IllegalArgumentException naming what is accepted
     */
    public static Signal named(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("unknown signal '" + text
                + "': use a name such as HUP, USR1, TERM, KILL (with or without SIG) or a number from 1 to "
                + Signals.MAX));
    }

    /** {@code signal 9 (SIGKILL)}. */
    public static String describe(int number) {
        return Signals.describe(number);
    }
}

package org.virtsup.control;

import java.time.Duration;

/**
 * How long the control socket's acceptor pauses after accept(2) failed. Out of
 * descriptors (EMFILE, ENFILE) the pending connection stays in the backlog and
 * accept fails again at once: retrying without a pause would spin a core. The
 * pause doubles from {@link #FIRST} up to {@link #LONGEST} while failures go
 * on, and starts over after a success.
 */
final class AcceptBackoff {
    static final Duration FIRST = Duration.ofMillis(10);
    static final Duration LONGEST = Duration.ofSeconds(1);

    private Duration next = FIRST;
    private long failures;

    /** Records a failure; returns the pause before the next attempt. */
    Duration failed() {
        failures++;
        Duration pause = next;
        next = next.multipliedBy(2).compareTo(LONGEST) > 0 ? LONGEST : next.multipliedBy(2);
        return pause;
    }

    /** Records a success; returns how many failures came before it in a row. */
    long succeeded() {
        long before = failures;
        failures = 0;
        next = FIRST;
        return before;
    }

    /** Whether the last failure was the first of its run: the one worth a log line. */
    boolean firstFailure() {
        return failures == 1;
    }
}

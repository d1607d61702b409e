package org.virtsup.supervise;

import java.time.Duration;
import java.util.Objects;

/**
 * The supervisor-configuration fields that steer supervision. The caller maps
 * {@code SupervisorConfiguration} onto it (same names, same defaults), so that
 * this package depends on nothing but the JDK.
 *
 * @param startTimeout      not ready this long after spawn: a failed start ({@code start-timeout})
 * @param stopTimeout       still alive this long after SIGTERM: SIGKILL ({@code stop-timeout})
 * @param restartDelayMax   cap of the exponential backoff ({@code restart-delay-max})
 * @param restartResetAfter running this long makes the next death count as a first failure ({@code restart-reset-after})
 * @param respawnLimit      0: never give up; N: FAILED after N failed starts in a row ({@code respawn-limit})
 * @param exitOnFailure     a FAILED daemon stops everything and virtsup exits non-zero ({@code exit-on-failure?})
 */
public record Policy(
        Duration startTimeout,
        Duration stopTimeout,
        Duration restartDelayMax,
        Duration restartResetAfter,
        int respawnLimit,
        boolean exitOnFailure) {

    /** The first delay after the immediate retry; doubled at each further failure. */
    public static final Duration FIRST_DELAY = Duration.ofSeconds(1);

    /** The defaults of supervisor-configuration: 30 s, 20 s, 30 s, 60 s, 0, #f. */
    public static Policy defaults() {
        return new Policy(
                Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60), 0, false);
    }

    public Policy {
        requirePositive("start-timeout", startTimeout);
        requirePositive("stop-timeout", stopTimeout);
        requirePositive("restart-delay-max", restartDelayMax);
        requirePositive("restart-reset-after", restartResetAfter);
        if (respawnLimit < 0) {
            throw new IllegalArgumentException("respawn-limit must be 0 (never give up) or more, not " + respawnLimit);
        }
    }

    // Zero is refused for restart-delay-max too: a daemon that cannot even be
    // spawned would be restarted in a tight loop.
    private static void requirePositive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(field + " must be at least 1 second, not " + Phrases.duration(value));
        }
    }

    /**
     * How long to wait before the next start after {@code failures} failed starts
     * in a row: nothing after the first, then 1 s, 2 s, 4 s … up to restart-delay-max.
     */
    public Duration restartDelay(int failures) {
        if (failures <= 1) {
            return Duration.ZERO;
        }
        int doublings = failures - 2;
        // 2^40 s is far beyond any cap; stopping there keeps the shift from overflowing.
        Duration delay = doublings >= 40 ? restartDelayMax : FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(restartDelayMax) > 0 ? restartDelayMax : delay;
    }

    /** True when {@code failures} failed starts in a row reach respawn-limit. */
    public boolean givesUpAfter(int failures) {
        return respawnLimit > 0 && failures >= respawnLimit;
    }
}

package org.virtsup.it;

import java.time.Duration;

/**
 * Timings are numbers to read, never assertions: each is printed on one line
 * that starts with {@code virtsup-benchmark:} so a run's log can be grepped.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void record(String what, Duration duration) {
        System.out.printf("virtsup-benchmark: %s: %d ms%n", what, duration.toMillis());
    }
}

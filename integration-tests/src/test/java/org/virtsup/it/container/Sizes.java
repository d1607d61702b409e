package org.virtsup.it.container;

/**
 * Sizes are numbers to read, like {@link org.virtsup.it.Benchmark}'s
 * durations: one {@code virtsup-benchmark:} line each, never an assertion.
 */
final class Sizes {
    private Sizes() {
    }

    static void record(String what, long bytes) {
        System.out.printf("virtsup-benchmark: %s: %d bytes (%d MB)%n", what, bytes, bytes / 1_000_000);
    }
}

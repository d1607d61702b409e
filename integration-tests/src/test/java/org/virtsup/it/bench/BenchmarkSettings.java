package org.virtsup.it.bench;

import java.util.Optional;

import org.virtsup.it.TestSettings;

/**
 * How many repetitions the benchmarks make. A normal test run takes the
 * short form (about two minutes) so that its numbers reach CI's summary;
 * {@code -Dvirtsup.benchmark=full} (or {@code VIRTSUP_BENCHMARK=full})
 * repeats each measurement enough for a median to mean something.
 *
 * @param rounds      repetitions of each kill and each launch
 * @param calls       calls of each status command
 * @param idleSeconds the window over which an idle supervisor's wake-ups are counted
 * @param idleAfterStatus whether virtsup's wake-ups are counted a second time, after the status calls
 */
record BenchmarkSettings(String name, int rounds, int calls, int idleSeconds, boolean idleAfterStatus) {
    static final BenchmarkSettings SHORT = new BenchmarkSettings("short", 3, 20, 10, false);
    static final BenchmarkSettings FULL = new BenchmarkSettings("full", 10, 40, 15, true);

    static BenchmarkSettings current() {
        String chosen = TestSettings.property("virtsup.benchmark")
                .or(() -> Optional.ofNullable(System.getenv("VIRTSUP_BENCHMARK")))
                .orElse("short");
        return switch (chosen) {
            case "full" -> FULL;
            case "short" -> SHORT;
            default -> throw new IllegalArgumentException("virtsup.benchmark=" + chosen + ": use short or full");
        };
    }

    /** Cycles of the soak when it is asked for without a number. */
    static final int SOAK_CYCLES = 1000;

    /**
     * The soak's kill cycles: {@code -Dvirtsup.soak} (or {@code VIRTSUP_SOAK})
     * runs it, {@value #SOAK_CYCLES} cycles unless given a number; without
     * it, as in a plain test run, 0 (it takes some half an hour).
     */
    static int soakCycles() {
        Optional<String> asked = Optional.ofNullable(System.getProperty("virtsup.soak")).map(String::trim)
                .filter(value -> !value.startsWith("${"))
                .or(() -> Optional.ofNullable(System.getenv("VIRTSUP_SOAK")).map(String::trim));
        if (asked.isEmpty()) {
            return 0;
        }
        String value = asked.get();
        if (value.isEmpty() || value.equals("true")) {
            return SOAK_CYCLES;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("virtsup.soak=" + value + ": a number of cycles, or nothing for "
                    + SOAK_CYCLES, e);
        }
    }
}

package org.virtsup.it.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link InContainerProbe} printed, collected across runs: repeated
 * samples (nanoseconds) and single values, by key.
 */
final class Measurements {
    private final Map<String, List<Long>> samples = new LinkedHashMap<>();
    private final Map<String, Long> values = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, List<String>> details = new LinkedHashMap<>();

    /**
     * Takes in the probe's output: {@code sample KEY NANOS}, {@code value KEY NUMBER},
     * {@code detail KEY TEXT}, {@code note TEXT}.
     */
    synchronized void add(String probeOutput) {
        for (String line : probeOutput.split("\n")) {
            String[] words = line.trim().split(" ", 3);
            if (words.length == 3 && words[0].equals("sample")) {
                samples.computeIfAbsent(words[1], key -> new ArrayList<>()).add(Long.parseLong(words[2]));
            } else if (words.length == 3 && words[0].equals("value")) {
                values.put(words[1], Long.parseLong(words[2]));
            } else if (words.length == 3 && words[0].equals("detail")) {
                details.computeIfAbsent(words[1], key -> new ArrayList<>()).add(words[2]);
            } else if (words.length >= 2 && words[0].equals("note")) {
                notes.add(line.trim().substring("note ".length()));
            }
        }
    }

    synchronized void put(String key, long value) {
        values.put(key, value);
    }

    synchronized Optional<Summary> summary(String key) {
        return Optional.ofNullable(samples.get(key)).filter(list -> !list.isEmpty()).map(Summary::of);
    }

    /**
     * The mean of one key's samples, in nanoseconds: for figures counted in
     * clock ticks of 10 ms (CPU time), where the median of a few quantised
     * samples says less than their mean.
     */
    synchronized Optional<Long> mean(String key) {
        List<Long> list = samples.get(key);
        if (list == null || list.isEmpty()) {
            return Optional.empty();
        }
        long sum = 0;
        for (long nanos : list) {
            sum += nanos;
        }
        return Optional.of(sum / list.size());
    }

    synchronized Optional<Long> value(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Lines of text about one measurement, e.g. which threads woke up while idle. */
    synchronized List<String> details(String key) {
        return List.copyOf(details.getOrDefault(key, List.of()));
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    /** Order statistics of one key's samples, in nanoseconds. */
    record Summary(int count, long min, long median, long p90, long max) {
        static Summary of(List<Long> nanos) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return new Summary(sorted.size(), sorted.get(0), percentile(sorted, 50), percentile(sorted, 90),
                    sorted.get(sorted.size() - 1));
        }

        /** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
        static long percentile(List<Long> sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.get(Math.max(0, rank - 1));
        }

        /** "57.1 ms (51.0–80.2, n=10)": median, then min–max. */
        String medianAndRange() {
            return millis(median) + " ms (" + millis(min) + "–" + millis(max) + ", n=" + count + ")";
        }

        /** "112.4 ms / p90 130.0 ms (n=20)". */
        String medianAndP90() {
            return millis(median) + " ms / p90 " + millis(p90) + " ms (n=" + count + ")";
        }
    }

    /** Milliseconds with one decimal, independent of the locale. */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1_000_000.0);
    }
}

package org.virtsup.metrics;

import java.util.Arrays;

/**
 * One daemon's seconds from spawn to ready, counted into fixed buckets (a
 * classic histogram). Written on the loop once per readiness, read by
 * scrapes: a lock keeps the count, the sum and the buckets of one reading in
 * agreement.
 */
final class StartDurations {
    /** Upper bounds in seconds: libvirtd usually needs one or two, a slow host up to start-timeout. */
    static final double[] BOUNDS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, Double.POSITIVE_INFINITY};

    /** What a scrape reads: the observations per bucket (not cumulative), their sum and count. */
    record Reading(long[] buckets, double sum, long count) {}

    private final long[] buckets = new long[BOUNDS.length];
    private double sum;
    private long count;

    synchronized void observe(double seconds) {
        int bucket = 0;
        while (seconds > BOUNDS[bucket]) {
            bucket++;
        }
        buckets[bucket]++;
        sum += seconds;
        count++;
    }

    synchronized Reading read() {
        return new Reading(Arrays.copyOf(buckets, buckets.length), sum, count);
    }
}

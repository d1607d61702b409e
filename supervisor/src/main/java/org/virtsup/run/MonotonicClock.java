package org.virtsup.run;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * The clock supervision reads: the wall clock's time when virtsup started,
 * moved on by the monotonic clock only. The core compares instants (has a
 * daemon been up long enough for its restart delay to start over, how long
 * did a start take); a wall clock set back an hour, or forward by NTP after a
 * suspend, must not make a flapping daemon look stable or a stable one flap.
 * Times shown in status may drift from the wall clock by the jumps since
 * start; durations stay true.
 */
public final class MonotonicClock extends Clock {
    private final Instant anchor;
    private final long anchorNanos;
    private final LongSupplier nanoTime;

    private MonotonicClock(Instant anchor, long anchorNanos, LongSupplier nanoTime) {
        this.anchor = anchor;
        this.anchorNanos = anchorNanos;
        this.nanoTime = nanoTime;
    }

    /** Anchored at {@code wall}'s time now, moving with {@code nanoTime} (e.g. {@link System#nanoTime}). */
    public static MonotonicClock anchoredAt(Clock wall, LongSupplier nanoTime) {
        return new MonotonicClock(wall.instant(), nanoTime.getAsLong(), nanoTime);
    }

    /** The system's wall clock now, moving with {@link System#nanoTime()}. */
    public static MonotonicClock system() {
        return anchoredAt(Clock.systemUTC(), System::nanoTime);
    }

    @Override
    public Instant instant() {
        return anchor.plusNanos(nanoTime.getAsLong() - anchorNanos);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("supervision runs in UTC");
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {
    @Test
    void startsAtTheWallClockAndMovesOnlyWithTheMonotonicOne() {
        Instant start = Instant.parse("2026-03-01T12:00:00Z");
        AtomicLong nanos = new AtomicLong(5_000_000_000L);
        MonotonicClock clock = MonotonicClock.anchoredAt(Clock.fixed(start, ZoneOffset.UTC), nanos::get);
        assertEquals(start, clock.instant());

        nanos.addAndGet(Duration.ofSeconds(90).toNanos());

        assertEquals(start.plusSeconds(90), clock.instant());
        assertEquals(start.plusSeconds(90).toEpochMilli(), clock.millis());
    }
}

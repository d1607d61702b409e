package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchdogIntervalTest {
    @Test
    void pingsAtHalfTheTimeout() {
        assertEquals(Optional.of(Duration.ofSeconds(15)), WatchdogInterval.from(Map.of("WATCHDOG_USEC", "30000000"), 7));
        assertEquals(Optional.of(Duration.ofMillis(1500)),
                WatchdogInterval.from(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "7"), 7));
    }

    @Test
    void ignoresAWatchdogMeantForAnotherProcessOrUnusable() {
        assertEquals(Optional.empty(), WatchdogInterval.from(Map.of(), 7));
        assertEquals(Optional.empty(), WatchdogInterval.from(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "8"), 7));
        assertEquals(Optional.empty(), WatchdogInterval.from(Map.of("WATCHDOG_USEC", "0"), 7));
        assertEquals(Optional.empty(), WatchdogInterval.from(Map.of("WATCHDOG_USEC", "soon"), 7));
    }
}

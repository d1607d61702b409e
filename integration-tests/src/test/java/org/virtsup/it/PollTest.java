package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class PollTest {

    @Test
    void returnsTheFirstValueTheProbeGives() {
        AtomicInteger calls = new AtomicInteger();
        String value = Poll.untilPresent("the third call", Duration.ofSeconds(10),
                () -> calls.incrementAndGet() == 3 ? Optional.of("third") : Optional.empty());
        assertEquals("third", value);
        assertEquals(3, calls.get());
    }

    @Test
    void failsNamingTheConditionWhenTheDeadlinePasses() {
        AtomicInteger calls = new AtomicInteger();
        AssertionError error = assertThrows(AssertionError.class,
                () -> Poll.until("pigs fly", Duration.ofMillis(100), () -> calls.incrementAndGet() < 0));
        assertTrue(error.getMessage().contains("pigs fly"), error.getMessage());
        assertTrue(calls.get() >= 2, "checked more than once before giving up: " + calls.get());
    }

    @Test
    void letsAProbeFailFast() {
        AssertionError error = assertThrows(AssertionError.class, () -> Poll.until("never", Duration.ofSeconds(30),
                () -> {
                    throw new AssertionError("the daemon exited");
                }));
        assertEquals("the daemon exited", error.getMessage());
    }
}

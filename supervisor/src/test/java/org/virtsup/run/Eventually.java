package org.virtsup.run;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls an observable condition until a deadline: the tests' only way to wait for another thread. */
final class Eventually {
    static final Duration DEFAULT = Duration.ofSeconds(5);

    private Eventually() {}

    static void until(BooleanSupplier condition, Duration timeout, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + whatWasExpected.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    static void until(BooleanSupplier condition, Supplier<String> whatWasExpected) {
        until(condition, DEFAULT, whatWasExpected);
    }
}

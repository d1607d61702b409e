package org.virtsup.it;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for an observable condition until a deadline: the only way tests
 * wait. The pause between two checks is short and grows a little, so a fast
 * condition is seen fast and a slow one does not flood the container with
 * execs.
 */
public final class Poll {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(20);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(250);

    private Poll() {
    }

    /**
     * Checks {@code condition} until it holds and returns how long that took.
     *
     * @throws AssertionError naming {@code what} when the deadline passes first
     */
    public static Duration until(String what, Duration timeout, BooleanSupplier condition) {
        long started = System.nanoTime();
        return untilPresent(what, timeout, () -> condition.getAsBoolean()
                ? Optional.of(Duration.ofNanos(System.nanoTime() - started))
                : Optional.empty());
    }

    /**
     * Calls {@code probe} until it returns a value and returns that value.
     *
     * @throws AssertionError naming {@code what} when the deadline passes first
     */
    public static <T> T untilPresent(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            pauseFor(Math.min(pause, left));
            pause = Math.min(pause * 2, LONGEST_PAUSE.toNanos());
        }
    }

    private static void pauseFor(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling", e);
        }
    }
}

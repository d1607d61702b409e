package org.virtsup.notify;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How often to send WATCHDOG=1, from systemd's {@code WATCHDOG_USEC} and
 * {@code WATCHDOG_PID}: half the timeout, as sd_watchdog_enabled(3) advises, so
 * that one late ping is not fatal. The timer itself belongs to the event loop:
 * a ping proves that loop is alive.
 */
public final class WatchdogInterval {
    private WatchdogInterval() {}

    /**
     * @return empty when no watchdog is asked for, or it is meant for another
     *         process (WATCHDOG_PID set and not ours), or the values are unusable
     */
    public static Optional<Duration> from(Map<String, String> environment, long ownPid) {
        String usec = environment.get("WATCHDOG_USEC");
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String pid = environment.get("WATCHDOG_PID");
        try {
            if (pid != null && !pid.isEmpty() && Long.parseLong(pid) != ownPid) {
                return Optional.empty();
            }
            long micros = Long.parseLong(usec);
            if (micros <= 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(micros * 1_000L / 2));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

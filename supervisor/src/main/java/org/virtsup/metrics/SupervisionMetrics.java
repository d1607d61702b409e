package org.virtsup.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Signal;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.Termination;

/**
 * The daemons' metrics, read off supervision's transitions and kept in plain
 * counters of virtsup's own: no metrics library is loaded for them, so a
 * virtsup without metrics-address pays for none. The counters and the start
 * durations are moved by the observer, on the loop, without waiting for
 * anything (lock-free adders; one short lock per readiness); the gauges are
 * computed at scrape time from the last state the loop published. A scrape
 * ({@link SupervisionCollectors}) never posts to the loop nor waits for it.
 */
public final class SupervisionMetrics {
    private final Clock clock;
    private final Map<Daemon, LongAdder> restarts = new EnumMap<>(Daemon.class);
    private final Map<Exit, LongAdder> exits = new ConcurrentHashMap<>();
    private final Map<Daemon, StartDurations> startDurations = new EnumMap<>(Daemon.class);
    private volatile Supervision published;

    /** One series of {@code virtsup_daemon_exits_total}: a daemon and why its process ended. */
    record Exit(Daemon daemon, String reason) {}

    public SupervisionMetrics(Clock clock) {
        this.clock = clock;
        for (Daemon daemon : Daemon.values()) {
            // Present from the start at 0, so that the first restart is an increase a query can see.
            restarts.put(daemon, new LongAdder());
            startDurations.put(daemon, new StartDurations());
        }
    }

    /**
     * One transition: what it adds to the counters and the start durations;
     * {@code after} becomes what scrapes read. Called on the event loop after
     * each step (the run layer wires it as an observer).
     */
    public void record(Supervision before, Supervision after) {
        for (Daemon daemon : Daemon.values()) {
            DaemonState was = before.daemon(daemon);
            DaemonState now = after.daemon(daemon);
            if (now.restarts() > was.restarts()) {
                restarts.get(daemon).add(now.restarts() - was.restarts());
            }
            if (now.lastExit().isPresent() && !now.lastExit().equals(was.lastExit())) {
                exits.computeIfAbsent(new Exit(daemon, reason(now.lastExit().get().termination())),
                        exit -> new LongAdder()).increment();
            }
            boolean newlyReady = now.ready() && (!was.ready() || was.pid() != now.pid());
            if (newlyReady && now.startedAt().isPresent() && now.readyAt().isPresent()) {
                startDurations.get(daemon).observe(seconds(Optional.of(
                        Duration.between(now.startedAt().get(), now.readyAt().get()))));
            }
        }
        published = after;
    }

    /** The state scrapes read before the first transition. */
    public void publish(Supervision initial) {
        published = initial;
    }

    /**
     * {@code "1"} for exit(1), {@code "SIGKILL"} for a signal, {@code "unknown"} for an adopted daemon's end:
     * bounded (256 codes, the signals' names).
     */
    static String reason(Termination termination) {
        if (termination instanceof Termination.Exited exited) {
            return Integer.toString(exited.code());
        }
        if (termination instanceof Termination.Unknown) {
            return "unknown"; // an adopted daemon: not virtsup's child, its status went to its parent
        }
        int signal = ((Termination.Killed) termination).signal();
        return Signal.ofNumber(signal).map(Signal::fullName).orElse("SIG" + signal);
    }

    long restarts(Daemon daemon) {
        return restarts.get(daemon).sum();
    }

    /** Every exit series seen so far, with its count. */
    Map<Exit, Long> exits() {
        Map<Exit, Long> counts = new java.util.HashMap<>();
        exits.forEach((exit, count) -> counts.put(exit, count.sum()));
        return counts;
    }

    StartDurations startDurations(Daemon daemon) {
        return startDurations.get(daemon);
    }

    Clock clock() {
        return clock;
    }

    /** Calls {@code gauge} for each supervised daemon in the published state; nothing before the first. */
    void each(DaemonGauge gauge) {
        Supervision state = published;
        if (state == null) {
            return;
        }
        for (Daemon daemon : Daemon.values()) {
            DaemonState daemonState = state.daemon(daemon);
            if (daemonState.supervised()) {
                gauge.value(daemon.programName(), daemonState);
            }
        }
    }

    static double seconds(Optional<Duration> duration) {
        return duration.map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    @FunctionalInterface
    interface DaemonGauge {
        void value(String daemon, DaemonState state);
    }
}

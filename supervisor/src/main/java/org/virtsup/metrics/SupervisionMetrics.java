package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Signal;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.Termination;

/**
 * The daemons' metrics, read off supervision's transitions. The counters and
 * the histogram are moved by the observer, on the loop, without waiting for
 * anything (the library's counters are lock-free); the gauges are computed at
 * scrape time from the last state the loop published. A scrape never posts to
 * the loop nor waits for it.
 */
public final class SupervisionMetrics {
    /** Seconds from spawn to ready: libvirtd usually needs one or two, a slow host up to start-timeout. */
    private static final double[] START_BOUNDS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

    private final Clock clock;
    private final Counter restarts;
    private final Counter exits;
    private final Histogram startDuration;
    private volatile Supervision published;

    public SupervisionMetrics(PrometheusRegistry registry, Clock clock) {
        this.clock = clock;
        restarts = Counter.builder().name("virtsup_daemon_restarts_total")
                .help("Restarts of a daemon after a failure (death, failed spawn, start timeout); operator restarts"
                        + " and virtlogd's re-executions do not count")
                .labelNames("daemon").register(registry);
        exits = Counter.builder().name("virtsup_daemon_exits_total")
                .help("Processes of a daemon that ended, by reason: the exit code, or the signal's name")
                .labelNames("daemon", "reason").register(registry);
        startDuration = Histogram.builder().name("virtsup_daemon_start_duration_seconds")
                .help("Seconds from a daemon's spawn to its readiness").classicOnly().classicUpperBounds(START_BOUNDS)
                .labelNames("daemon").register(registry);
        for (Daemon daemon : Daemon.values()) {
            // Present from the start at 0, so that the first restart is an increase a query can see.
            restarts.labelValues(daemon.programName());
        }
        GaugeWithCallback.builder().name("virtsup_daemon_up")
                .help("1 when the daemon is running and ready, else 0").labelNames("daemon")
                .callback(out -> each((daemon, state) -> out.call(state.ready() ? 1 : 0, daemon))).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_state")
                .help("The daemon's phase, one-hot: 1 for the phase it is in, 0 for the others").labelNames("daemon", "state")
                .callback(out -> each((daemon, state) -> {
                    for (Phase phase : Phase.values()) {
                        out.call(state.phase() == phase ? 1 : 0, daemon, phase.name().toLowerCase(Locale.ROOT));
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_uptime_seconds")
                .help("Seconds since the daemon's current process was spawned; 0 when it has none").labelNames("daemon")
                .callback(out -> {
                    Instant now = clock.instant();
                    each((daemon, state) -> out.call(seconds(state.hasPid() ? state.uptime(now) : Optional.empty()), daemon));
                }).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_backoff_seconds")
                .help("Seconds until the pending restart of a daemon in BACKOFF; 0 when none is pending").labelNames("daemon")
                .callback(out -> {
                    Instant now = clock.instant();
                    each((daemon, state) -> out.call(seconds(state.nextAttemptIn(now)), daemon));
                }).register(registry);
    }

    /**
     * One transition: what it adds to the counters and the histogram;
     * {@code after} becomes what scrapes read. Called on the event loop after
     * each step (the run layer wires it as an observer).
     */
    public void record(Supervision before, Supervision after) {
        for (Daemon daemon : Daemon.values()) {
            DaemonState was = before.daemon(daemon);
            DaemonState now = after.daemon(daemon);
            String name = daemon.programName();
            if (now.restarts() > was.restarts()) {
                restarts.labelValues(name).inc(now.restarts() - was.restarts());
            }
            if (now.lastExit().isPresent() && !now.lastExit().equals(was.lastExit())) {
                exits.labelValues(name, reason(now.lastExit().get().termination())).inc();
            }
            boolean newlyReady = now.ready() && (!was.ready() || was.pid() != now.pid());
            if (newlyReady && now.startedAt().isPresent() && now.readyAt().isPresent()) {
                startDuration.labelValues(name).observe(seconds(Optional.of(
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

    private void each(DaemonGauge gauge) {
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

    private static double seconds(Optional<Duration> duration) {
        return duration.map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    @FunctionalInterface
    private interface DaemonGauge {
        void value(String daemon, DaemonState state);
    }
}

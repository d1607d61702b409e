package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Phase;

/**
 * The daemons' metrics as Prometheus shows them: each one reads
 * {@link SupervisionMetrics} at scrape time, so binding them late (when an
 * endpoint is first configured) shows everything counted since virtsup started.
 */
final class SupervisionCollectors {
    private static final String START_DURATION = "virtsup_daemon_start_duration_seconds";

    private SupervisionCollectors() {}

    static void register(SupervisionMetrics metrics, PrometheusRegistry registry) {
        CounterWithCallback.builder().name("virtsup_daemon_restarts_total")
                .help("Restarts of a daemon after a failure (death, failed spawn, start timeout); operator restarts"
                        + " and virtlogd's re-executions do not count")
                .labelNames("daemon").callback(out -> {
                    for (Daemon daemon : Daemon.values()) {
                        out.call(metrics.restarts(daemon), daemon.programName());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("virtsup_daemon_exits_total")
                .help("Processes of a daemon that ended, by reason: the exit code, or the signal's name")
                .labelNames("daemon", "reason")
                .callback(out -> metrics.exits().forEach((exit, count) ->
                        out.call(count, exit.daemon().programName(), exit.reason()))).register(registry);
        registry.register(startDurations(metrics));
        GaugeWithCallback.builder().name("virtsup_daemon_up")
                .help("1 when the daemon is running and ready, else 0").labelNames("daemon")
                .callback(out -> metrics.each((daemon, state) -> out.call(state.ready() ? 1 : 0, daemon))).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_state")
                .help("The daemon's phase, one-hot: 1 for the phase it is in, 0 for the others").labelNames("daemon", "state")
                .callback(out -> metrics.each((daemon, state) -> {
                    for (Phase phase : Phase.values()) {
                        out.call(state.phase() == phase ? 1 : 0, daemon, phase.name().toLowerCase(Locale.ROOT));
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_uptime_seconds")
                .help("Seconds since the daemon's current process was spawned; 0 when it has none").labelNames("daemon")
                .callback(out -> {
                    Instant now = metrics.clock().instant();
                    metrics.each((daemon, state) -> out.call(SupervisionMetrics.seconds(
                            state.hasPid() ? state.uptime(now) : Optional.empty()), daemon));
                }).register(registry);
        GaugeWithCallback.builder().name("virtsup_daemon_backoff_seconds")
                .help("Seconds until the pending restart of a daemon in BACKOFF; 0 when none is pending").labelNames("daemon")
                .callback(out -> {
                    Instant now = metrics.clock().instant();
                    metrics.each((daemon, state) -> out.call(SupervisionMetrics.seconds(state.nextAttemptIn(now)), daemon));
                }).register(registry);
    }

    /** The library has no histogram read from outside; this collector builds its snapshot from the daemons' readings. */
    private static Collector startDurations(SupervisionMetrics metrics) {
        return () -> {
            HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(START_DURATION)
                    .help("Seconds from a daemon's spawn to its readiness");
            for (Daemon daemon : Daemon.values()) {
                StartDurations.Reading reading = metrics.startDurations(daemon).read();
                if (reading.count() > 0) {
                    snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(StartDurations.BOUNDS, reading.buckets()))
                            .sum(reading.sum()).labels(Labels.of("daemon", daemon.programName())).build());
                }
            }
            return snapshot.build();
        };
    }
}

package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.virtsup.supervise.Daemon.LIBVIRTD;
import static org.virtsup.supervise.Daemon.VIRTLOGD;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.Termination;

/** Transitions of the real state machine, and what they make of the daemons' metrics. */
class SupervisionMetricsTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final SupervisionMetrics metrics = new SupervisionMetrics(clock);
    private Supervision state = Supervision.initial(Policy.defaults(), EnumSet.allOf(org.virtsup.supervise.Daemon.class));

    {
        SupervisionCollectors.register(metrics, registry);
    }

    private void feed(Event event) {
        Supervision before = state;
        state = state.on(event, now).supervision();
        metrics.record(before, state);
    }

    private void bootBoth() {
        feed(new Event.Boot());
        feed(new Event.Spawned(VIRTLOGD, 100));
        now = now.plusMillis(250);
        feed(new Event.Ready(VIRTLOGD, 100));
        feed(new Event.Spawned(LIBVIRTD, 101));
        now = now.plusMillis(1500);
        feed(new Event.Ready(LIBVIRTD, 101));
    }

    private double value(String series) {
        return Exposition.value(registry, series);
    }

    @Test
    void countersStartAtZeroForEveryDaemon() {
        metrics.publish(state);
        assertEquals(0, value("virtsup_daemon_restarts_total{daemon=\"libvirtd\"}"));
        assertEquals(0, value("virtsup_daemon_restarts_total{daemon=\"virtlogd\"}"));
        assertEquals(0, value("virtsup_daemon_up{daemon=\"libvirtd\"}"));
        assertEquals(1, value("virtsup_daemon_state{daemon=\"libvirtd\",state=\"stopped\"}"));
    }

    @Test
    void aKilledDaemonCountsOneExitAndOneRestart() {
        bootBoth();
        assertEquals(1, value("virtsup_daemon_up{daemon=\"libvirtd\"}"));
        assertEquals(1, value("virtsup_daemon_state{daemon=\"libvirtd\",state=\"running\"}"));
        assertEquals(0, value("virtsup_daemon_state{daemon=\"libvirtd\",state=\"starting\"}"));

        now = now.plusSeconds(5);
        feed(new Event.Exited(101, new Termination.Killed(9, false)));
        assertEquals(1, value("virtsup_daemon_exits_total{daemon=\"libvirtd\",reason=\"SIGKILL\"}"));
        assertEquals(0, value("virtsup_daemon_up{daemon=\"libvirtd\"}"));
        feed(new Event.Spawned(LIBVIRTD, 102));
        feed(new Event.Ready(LIBVIRTD, 102));

        assertEquals(1, value("virtsup_daemon_restarts_total{daemon=\"libvirtd\"}"));
        assertEquals(0, value("virtsup_daemon_restarts_total{daemon=\"virtlogd\"}"));
        assertEquals(1, value("virtsup_daemon_up{daemon=\"libvirtd\"}"));
        assertEquals(2, value("virtsup_daemon_start_duration_seconds_count{daemon=\"libvirtd\"}"));
        assertEquals(1, value("virtsup_daemon_start_duration_seconds_count{daemon=\"virtlogd\"}"));
        assertEquals(0.25, value("virtsup_daemon_start_duration_seconds_sum{daemon=\"virtlogd\"}"), 1e-9);
    }

    @Test
    void startDurationsAreCountedIntoCumulativeBuckets() {
        bootBoth();
        assertEquals(0, value("virtsup_daemon_start_duration_seconds_bucket{daemon=\"virtlogd\",le=\"0.1\"}"));
        assertEquals(1, value("virtsup_daemon_start_duration_seconds_bucket{daemon=\"virtlogd\",le=\"0.25\"}"));
        assertEquals(0, value("virtsup_daemon_start_duration_seconds_bucket{daemon=\"libvirtd\",le=\"1.0\"}"));
        assertEquals(1, value("virtsup_daemon_start_duration_seconds_bucket{daemon=\"libvirtd\",le=\"2.0\"}"));
        assertEquals(1, value("virtsup_daemon_start_duration_seconds_bucket{daemon=\"libvirtd\",le=\"+Inf\"}"));
        assertEquals(1.5, value("virtsup_daemon_start_duration_seconds_sum{daemon=\"libvirtd\"}"), 1e-9);
    }

    @Test
    void aSecondQuickDeathWaitsInBackoffAndShowsItsDelay() {
        bootBoth();
        feed(new Event.Exited(101, new Termination.Exited(1)));
        feed(new Event.Spawned(LIBVIRTD, 102));
        feed(new Event.Exited(102, new Termination.Exited(1)));
        assertEquals(2, value("virtsup_daemon_exits_total{daemon=\"libvirtd\",reason=\"1\"}"));
        assertEquals(1, value("virtsup_daemon_state{daemon=\"libvirtd\",state=\"backoff\"}"));
        double backoff = value("virtsup_daemon_backoff_seconds{daemon=\"libvirtd\"}");
        assertEquals(Policy.FIRST_DELAY.toSeconds(), backoff, 1e-9);
        now = now.plusMillis(400);
        assertEquals(backoff - 0.4, value("virtsup_daemon_backoff_seconds{daemon=\"libvirtd\"}"), 1e-9);
        assertEquals(0, value("virtsup_daemon_uptime_seconds{daemon=\"libvirtd\"}"));
    }

    @Test
    void uptimeIsReadAtScrapeTimeFromThePublishedState() {
        bootBoth();
        now = now.plus(Duration.ofSeconds(90));
        assertEquals(91.5, value("virtsup_daemon_uptime_seconds{daemon=\"libvirtd\"}"), 1e-9);
    }

    @Test
    void exitReasonsAreCodesOrSignalNames() {
        assertEquals("0", SupervisionMetrics.reason(new Termination.Exited(0)));
        assertEquals("SIGSEGV", SupervisionMetrics.reason(new Termination.Killed(11, true)));
        assertEquals("unknown", SupervisionMetrics.reason(new Termination.Unknown()));
        assertEquals("SIGRTMIN+31", SupervisionMetrics.reason(new Termination.Killed(63, false)));
    }

    @Test
    void anUnsupervisedDaemonHasNoGauges() {
        state = Supervision.initial(Policy.defaults(), EnumSet.of(VIRTLOGD));
        metrics.publish(state);
        String text = Exposition.text(registry);
        assertFalse(text.contains("virtsup_daemon_up{daemon=\"libvirtd\"}"), text);
        assertEquals(0, value("virtsup_daemon_up{daemon=\"virtlogd\"}"));
    }
}

package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.virtsup.control.ControlHandler;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;

/** Reloads and control requests, counted by their outcome. */
class OperatorMetricsTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final OperatorMetrics metrics = new OperatorMetrics(
            Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC));
    private static final Reply OK = new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.empty(), "ok",
            List.of());

    {
        OperatorCollectors.register(metrics, registry);
    }

    @Test
    void reloadsByResult() {
        AtomicReference<String> inForce = new AtomicReference<>("a");
        Supplier<CompletableFuture<Reply>> applied = metrics.counting(() -> {
            inForce.set("b");
            return CompletableFuture.completedFuture(OK);
        }, inForce::get);
        applied.get();
        metrics.counting(() -> CompletableFuture.completedFuture(OK), inForce::get).get();
        metrics.counting(() -> CompletableFuture.completedFuture(
                new Reply.Failure(ErrorCode.INVALID_CONFIGURATION, "bad")), inForce::get).get();
        metrics.counting(() -> CompletableFuture.completedFuture(
                new Reply.Failure(ErrorCode.FAILED, "cannot write")), inForce::get).get();
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        metrics.counting(() -> pending, inForce::get).get();
        assertEquals(1, Exposition.value(registry, "virtsup_config_reloads_total{result=\"unchanged\"}"),
                "a reload is counted once answered, not before");
        pending.complete(OK);
        assertEquals(1, Exposition.value(registry, "virtsup_config_reloads_total{result=\"applied\"}"));
        assertEquals(2, Exposition.value(registry, "virtsup_config_reloads_total{result=\"unchanged\"}"));
        assertEquals(1, Exposition.value(registry, "virtsup_config_reloads_total{result=\"invalid\"}"));
        assertEquals(1, Exposition.value(registry, "virtsup_config_reloads_total{result=\"failed\"}"));
        assertEquals(1.7e9, Exposition.value(registry, "virtsup_config_last_reload_success_timestamp_seconds"));
    }

    @Test
    void controlRequestsByVerbAndResult() {
        ControlHandler handler = metrics.counting((request, peer) -> CompletableFuture.completedFuture(
                request instanceof Request.Status ? OK : new Reply.Failure(ErrorCode.NO_SUCH_DAEMON, "no")));
        handler.handle(new Request.Status(Optional.empty()), null);
        handler.handle(new Request.Status(Optional.empty()), null);
        handler.handle(new Request.Restart("qemu"), null);
        assertEquals(2, Exposition.value(registry, "virtsup_control_requests_total{result=\"ok\",verb=\"status\"}"));
        assertEquals(1, Exposition.value(registry,
                "virtsup_control_requests_total{result=\"no-such-daemon\",verb=\"restart\"}"));
    }
}

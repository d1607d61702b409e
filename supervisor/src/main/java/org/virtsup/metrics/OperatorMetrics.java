package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.virtsup.control.ControlHandler;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;

/** What operators asked of virtsup: configuration reloads and control requests, counted by outcome. */
public final class OperatorMetrics {
    /** The outcomes of a reload, the values of the {@code result} label. */
    enum ReloadResult { APPLIED, UNCHANGED, INVALID, FAILED }

    private final Clock wallClock;
    private final Counter reloads;
    private final Gauge lastReloadSuccess;
    private final Counter controlRequests;

    public OperatorMetrics(PrometheusRegistry registry, Clock wallClock) {
        this.wallClock = wallClock;
        reloads = Counter.builder().name("virtsup_config_reloads_total")
                .help("Configuration reloads (SIGHUP, virtsup reload) by result: applied, unchanged (nothing differed),"
                        + " invalid (refused, nothing changed), failed (could not be carried out, nothing changed)")
                .labelNames("result").register(registry);
        for (ReloadResult result : ReloadResult.values()) {
            reloads.labelValues(label(result));
        }
        lastReloadSuccess = Gauge.builder().name("virtsup_config_last_reload_success_timestamp_seconds")
                .help("When the configuration in force was last loaded successfully (at start, or by a reload), Unix time")
                .register(registry);
        lastReloadSuccess.set(now());
        controlRequests = Counter.builder().name("virtsup_control_requests_total")
                .help("Requests on the control socket that reached the supervisor, by verb and result"
                        + " (ok, or the error code such as failed, no-such-daemon)")
                .labelNames("verb", "result").register(registry);
    }

    /**
     * Counts each reload {@code reload} carries out, once it is answered;
     * {@code inForce} tells whether it changed the configuration.
     */
    public Supplier<CompletableFuture<Reply>> counting(Supplier<CompletableFuture<Reply>> reload, Supplier<?> inForce) {
        return () -> {
            Object before = inForce.get();
            CompletableFuture<Reply> reply = reload.get();
            reply.thenAccept(answer -> {
                ReloadResult result = result(answer, Objects.equals(before, inForce.get()));
                reloads.labelValues(label(result)).inc();
                if (result == ReloadResult.APPLIED || result == ReloadResult.UNCHANGED) {
                    lastReloadSuccess.set(now());
                }
            });
            return reply;
        };
    }

    static ReloadResult result(Reply reply, boolean sameConfiguration) {
        if (reply instanceof Reply.Failure failure) {
            return failure.code() == ErrorCode.INVALID_CONFIGURATION ? ReloadResult.INVALID
                    : sameConfiguration ? ReloadResult.FAILED : ReloadResult.APPLIED;
        }
        return sameConfiguration ? ReloadResult.UNCHANGED : ReloadResult.APPLIED;
    }

    /** The control handler, counting every request it answers. */
    public ControlHandler counting(ControlHandler handler) {
        return (request, peer) -> {
            CompletableFuture<Reply> reply = handler.handle(request, peer);
            reply.whenComplete((answer, failure) -> controlRequests.labelValues(request.command(),
                    answer instanceof Reply.Failure f ? f.code().wireName()
                            : answer != null ? "ok" : reply.isCancelled() ? "cancelled" : ErrorCode.INTERNAL.wireName()).inc());
            return reply;
        };
    }

    private double now() {
        return wallClock.millis() / 1000.0;
    }

    private static String label(ReloadResult result) {
        return result.name().toLowerCase(Locale.ROOT);
    }
}

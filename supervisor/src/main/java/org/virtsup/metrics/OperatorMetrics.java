package org.virtsup.metrics;

import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.virtsup.control.ControlHandler;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;

/**
 * What operators asked of virtsup: configuration reloads and control requests,
 * counted by outcome in plain counters of virtsup's own ({@link OperatorCollectors}
 * shows them to Prometheus when an endpoint is configured).
 */
public final class OperatorMetrics {
    /** The outcomes of a reload, the values of the {@code result} label. */
    enum ReloadResult { APPLIED, UNCHANGED, INVALID, FAILED }

    /** One series of {@code virtsup_control_requests_total}. */
    record Request(String verb, String result) {}

    private final Clock wallClock;
    private final Map<ReloadResult, LongAdder> reloads = new EnumMap<>(ReloadResult.class);
    private volatile double lastReloadSuccess;
    private final Map<Request, LongAdder> controlRequests = new ConcurrentHashMap<>();

    public OperatorMetrics(Clock wallClock) {
        this.wallClock = wallClock;
        for (ReloadResult result : ReloadResult.values()) {
            reloads.put(result, new LongAdder());
        }
        lastReloadSuccess = now();
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
                reloads.get(result).increment();
                if (result == ReloadResult.APPLIED || result == ReloadResult.UNCHANGED) {
                    lastReloadSuccess = now();
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
            reply.whenComplete((answer, failure) -> controlRequests.computeIfAbsent(new Request(request.command(),
                    answer instanceof Reply.Failure f ? f.code().wireName()
                            : answer != null ? "ok" : reply.isCancelled() ? "cancelled" : ErrorCode.INTERNAL.wireName()),
                    key -> new LongAdder()).increment());
            return reply;
        };
    }

    long reloads(ReloadResult result) {
        return reloads.get(result).sum();
    }

    /** Unix time in seconds. */
    double lastReloadSuccess() {
        return lastReloadSuccess;
    }

    /** Every control request series seen so far, with its count. */
    Map<Request, Long> controlRequests() {
        Map<Request, Long> counts = new HashMap<>();
        controlRequests.forEach((request, count) -> counts.put(request, count.sum()));
        return counts;
    }

    static String label(ReloadResult result) {
        return result.name().toLowerCase(Locale.ROOT);
    }

    private double now() {
        return wallClock.millis() / 1000.0;
    }
}

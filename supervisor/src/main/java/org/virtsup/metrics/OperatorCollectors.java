package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The operators' metrics as Prometheus shows them, read from {@link OperatorMetrics} at scrape time. */
final class OperatorCollectors {
    private OperatorCollectors() {}

    static void register(OperatorMetrics metrics, PrometheusRegistry registry) {
        CounterWithCallback.builder().name("virtsup_config_reloads_total")
                .help("Configuration reloads (SIGHUP, virtsup reload) by result: applied, unchanged (nothing differed),"
                        + " invalid (refused, nothing changed), failed (could not be carried out, nothing changed)")
                .labelNames("result").callback(out -> {
                    for (OperatorMetrics.ReloadResult result : OperatorMetrics.ReloadResult.values()) {
                        out.call(metrics.reloads(result), OperatorMetrics.label(result));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("virtsup_config_last_reload_success_timestamp_seconds")
                .help("When the configuration in force was last loaded successfully (at start, or by a reload), Unix time")
                .callback(out -> out.call(metrics.lastReloadSuccess())).register(registry);
        CounterWithCallback.builder().name("virtsup_control_requests_total")
                .help("Requests on the control socket that reached the supervisor, by verb and result"
                        + " (ok, or the error code such as failed, no-such-daemon)")
                .labelNames("verb", "result").callback(out -> metrics.controlRequests().forEach((request, count) ->
                        out.call(count, request.verb(), request.result()))).register(registry);
    }
}

package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * virtsup's metrics in a Prometheus registry of its own (never the library's
 * global one), bound to the counters virtsup keeps itself. Made only when an
 * endpoint is configured (at start or by a reload): loading and building the
 * library's classes costs some 600 ms of CPU and 20 MiB (measured), which a
 * virtsup without metrics-address need not pay.
 */
final class PrometheusMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private boolean withJvm;

    PrometheusMetrics(SupervisionMetrics supervision, OperatorMetrics operators, String version) {
        SupervisionCollectors.register(supervision, registry);
        OperatorCollectors.register(operators, registry);
        Info.builder().name("virtsup_build_info").help("virtsup's version").labelNames("version")
                .register(registry).setLabelValues(version);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    /**
     * The registry an endpoint serves: the JVM's and the process's own metrics
     * join it before the first server binds. They are read from the JVM at
     * each scrape and lose nothing by waiting; registering them costs about
     * 300 ms of CPU and 10 MiB (measured).
     */
    synchronized PrometheusRegistry served() {
        if (!withJvm) {
            JvmMetrics.builder().register(registry);
            withJvm = true;
        }
        return registry;
    }
}

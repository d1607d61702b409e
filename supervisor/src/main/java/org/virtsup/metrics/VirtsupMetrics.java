package org.virtsup.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;

/**
 * Every metric of {@code virtsup run} in one registry of its own (never the
 * library's global one): the daemons' ({@link SupervisionMetrics}), the
 * operators' ({@link OperatorMetrics}), the JVM's and the process's own (the
 * library's instrumentation) and {@code virtsup_build_info}. virtsup's own
 * are kept whether or not metrics-address is set, so a reload that turns the
 * endpoint on shows the counts since virtsup started. The JVM's are
 * registered only when an endpoint first serves: they are read from the JVM
 * at each scrape and lose nothing by waiting, and registering them costs
 * about 300 ms of CPU and 10 MiB (measured) that a virtsup without metrics
 * need not pay.
 */
public final class VirtsupMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SupervisionMetrics supervision;
    private final OperatorMetrics operators;
    private final MetricsEndpoint endpoint;

    /**
     * @param supervisionClock the clock supervision's instants come from (uptimes, backoffs)
     * @param version          virtsup's version, for {@code virtsup_build_info}
     */
    public VirtsupMetrics(Clock supervisionClock, String version) {
        supervision = new SupervisionMetrics(registry, supervisionClock);
        operators = new OperatorMetrics(registry, Clock.systemUTC());
        Info.builder().name("virtsup_build_info").help("virtsup's version").labelNames("version")
                .register(registry).setLabelValues(version);
        endpoint = new MetricsEndpoint(registry, () -> JvmMetrics.builder().register(registry));
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public SupervisionMetrics supervision() {
        return supervision;
    }

    public OperatorMetrics operators() {
        return operators;
    }

    public MetricsEndpoint endpoint() {
        return endpoint;
    }
}

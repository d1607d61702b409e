package org.virtsup.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;

/**
 * Every metric of {@code virtsup run}: the daemons' ({@link SupervisionMetrics}),
 * the operators' ({@link OperatorMetrics}), and, once an endpoint is
 * configured, the JVM's, the process's own and {@code virtsup_build_info}.
 * virtsup's own are counted whether or not metrics-address is set, in plain
 * counters, so that a reload that turns the endpoint on shows the counts since
 * virtsup started; the Prometheus library is loaded only then
 * ({@link PrometheusMetrics}).
 */
public final class VirtsupMetrics {
    private final SupervisionMetrics supervision;
    private final OperatorMetrics operators;
    private final String version;
    private final MetricsEndpoint endpoint;
    private PrometheusMetrics prometheus;

    /**
     * @param supervisionClock the clock supervision's instants come from (uptimes, backoffs)
     * @param version          virtsup's version, for {@code virtsup_build_info}
     */
    public VirtsupMetrics(Clock supervisionClock, String version) {
        supervision = new SupervisionMetrics(supervisionClock);
        operators = new OperatorMetrics(Clock.systemUTC());
        this.version = version;
        endpoint = new MetricsEndpoint(address -> MetricsServer.start(address, prometheus().served()));
    }

    /** The Prometheus registry of these metrics, made (and the library loaded) at the first call. */
    public PrometheusRegistry registry() {
        return prometheus().registry();
    }

    private synchronized PrometheusMetrics prometheus() {
        if (prometheus == null) {
            prometheus = new PrometheusMetrics(supervision, operators, version);
        }
        return prometheus;
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

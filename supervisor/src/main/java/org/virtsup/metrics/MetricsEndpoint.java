package org.virtsup.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics server as the configuration wants it: none, or one on
 * metrics-address. A reload that changes the address binds the new one before
 * the old one is closed, so a refused address leaves the old server serving.
 * With no address it touches no server class: those load the Prometheus
 * library, which only an endpoint needs.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Binder binder;
    private Optional<MetricsServer> server = Optional.empty();

    /** Starts a server on an address: called only when one is configured. */
    @FunctionalInterface
    public interface Binder {
        MetricsServer bind(String address) throws MetricsAddressException;
    }

    /** An endpoint serving {@code registry} as it is. */
    public MetricsEndpoint(PrometheusRegistry registry) {
        this(address -> MetricsServer.start(address, registry));
    }

    public MetricsEndpoint(Binder binder) {
        this.binder = binder;
    }

    /** A move to another address, bound and waiting to be committed or abandoned with the reload. */
    public interface Move {
        /** Closes the previous server: the new one (or none) is in force. */
        void commit();

        /** Closes the new server: the previous one stays. */
        void abandon();
    }

    /** Serves on {@code address} at start; an address that cannot be bound is a configuration error. */
    public void start(Optional<String> address) throws MetricsAddressException {
        prepare(address).commit();
    }

    /** Binds the new address if it differs from the one in force; nothing changes until {@link Move#commit}. */
    public Move prepare(Optional<String> address) throws MetricsAddressException {
        Optional<String> inForce = server.isEmpty() ? Optional.empty() : Optional.of(server.get().address());
        if (address.equals(inForce)) {
            return new Move() {
                @Override
                public void commit() {}

                @Override
                public void abandon() {}
            };
        }
        Optional<MetricsServer> next = address.isPresent() ? Optional.of(binder.bind(address.get())) : Optional.empty();
        return new Move() {
            @Override
            public void commit() {
                Optional<MetricsServer> previous = server;
                server = next;
                previous.ifPresent(MetricsServer::close);
                next.ifPresentOrElse(s -> log.info("metrics served on http://{}{}", s.address(), MetricsServer.PATH),
                        () -> previous.ifPresent(p -> log.info("metrics no longer served (metrics-address is #f)")));
            }

            @Override
            public void abandon() {
                next.ifPresent(MetricsServer::close);
            }
        };
    }

    /** The server in force, if any. */
    public Optional<MetricsServer> server() {
        return server;
    }

    @Override
    public void close() {
        if (server.isPresent()) {
            server.get().close();
        }
        server = Optional.empty();
    }
}

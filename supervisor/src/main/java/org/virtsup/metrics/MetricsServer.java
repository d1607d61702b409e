package org.virtsup.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The metrics endpoint: {@code GET /metrics} over HTTP and nothing else (every
 * other path and method is 404). It runs on a few daemon threads of its own and
 * reads only what the supervision loop has published, so a slow or hung scraper
 * costs one of those threads for a bounded time and never the loop.
 * Content negotiation (Prometheus text, OpenMetrics) is the library's.
 */
public final class MetricsServer implements AutoCloseable {
    /** Threads answering scrapes: enough for Prometheus and one person with curl. */
    static final int THREADS = 2;
    static final String PATH = "/metrics";

    static {
        // The JDK's server waits forever by default for a request to arrive and a response to be
        // taken: a client that stops half-way would hold a thread for good. Five seconds for a
        // request and ten for a response are far more than a scrape needs (Prometheus gives up
        // after ten). Read once, when the JDK's server first starts.
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "5"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "10"));
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final String address;

    private MetricsServer(HttpServer server, ExecutorService threads, String address) {
        this.server = server;
        this.threads = threads;
        this.address = address;
    }

    /**
     * Binds {@code address} ({@code HOST:PORT}) and starts serving {@code registry}.
     *
     * @throws MetricsAddressException when the address cannot be bound (in use, not local, unknown host)
     */
    public static MetricsServer start(String address, PrometheusRegistry registry) throws MetricsAddressException {
        InetSocketAddress bind = MetricsAddress.resolve(address);
        HttpServer server;
        try {
            server = HttpServer.create(bind, 16);
        } catch (BindException e) {
            boolean inUse = String.valueOf(e.getMessage()).contains("in use");
            throw new MetricsAddressException(address, "cannot be bound (" + e.getMessage() + "): " + (inUse
                    ? "another process listens there; choose a free port or stop what listens there"
                    : "the host is not an address of this machine; choose one of its addresses"), e);
        } catch (IOException e) {
            throw new MetricsAddressException(address, "cannot be bound: " + e.getMessage(), e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "metrics-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        MetricsHandler metrics = new MetricsHandler(registry);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestURI().getPath().equals(PATH) && exchange.getRequestMethod().equals("GET")) {
                    metrics.handle(exchange);
                } else {
                    notFound(exchange);
                }
            }
        });
        server.setExecutor(threads);
        server.start();
        return new MetricsServer(server, threads, address);
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        byte[] body = ("only GET " + PATH + " is served here\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
    }

    /** The address as configured. */
    public String address() {
        return address;
    }

    /** The port bound (the configured one, or the one the kernel chose for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

/** The endpoint over real HTTP on loopback: one path, the library's formats, scrapers that misbehave. */
class MetricsServerTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> scrapers = new ArrayList<>();

    MetricsServerTest() throws IOException {
        Counter.builder().name("virtsup_test_total").help("a test counter").register(registry).inc();
        server = MetricsServer.start("127.0.0.1:0", registry);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        for (Socket s : scrapers) {
            s.close();
        }
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheRegistryOnSlashMetricsInPrometheusText() throws Exception {
        HttpResponse<String> response = get("/metrics", null);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        assertTrue(response.body().contains("virtsup_test_total 1.0"), response.body());
    }

    @Test
    void servesOpenMetricsToAScraperThatAsksForIt() throws Exception {
        HttpResponse<String> response = get("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"),
                response.headers().toString());
        assertTrue(response.body().contains("# TYPE virtsup_test counter"), response.body());
        assertTrue(response.body().endsWith("# EOF\n"), response.body());
    }

    @Test
    void everyOtherPathAndMethodIsNotFound() throws Exception {
        for (String path : List.of("/", "/metricsx", "/metrics/", "/metrics/x", "/-/healthy", "/favicon.ico")) {
            assertEquals(404, get(path, null).statusCode(), path);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, post.statusCode());
    }

    /** More stalled connections than threads: half a request each, then silence. */
    private void stallEveryThread() throws IOException {
        for (int i = 0; i < MetricsServer.THREADS + 2; i++) {
            Socket stalled = new Socket("127.0.0.1", server.port());
            scrapers.add(stalled);
            OutputStream out = stalled.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    @Test
    void stalledScrapersAreDroppedAndTheNextScrapeIsAnswered() throws Exception {
        stallEveryThread();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/metrics")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("virtsup-benchmark: scrape behind " + scrapers.size() + " stalled scrapers (" + MetricsServer.THREADS
                + " threads): answered after " + millis + " ms");
        assertEquals(200, response.statusCode());
    }

    @Test
    void stalledScrapersNeverHoldTheSupervisionSide() throws Exception {
        SupervisionMetrics metrics = new SupervisionMetrics(Clock.systemUTC());
        SupervisionCollectors.register(metrics, registry);
        stallEveryThread();
        Supervision idle = Supervision.initial(Policy.defaults(), EnumSet.allOf(Daemon.class));
        Supervision booted = idle.on(new Event.Boot(), Instant.EPOCH).supervision();
        // What the loop does on each step; a deadlock with the server would hang here (and fail at the bound).
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 10_000; i++) {
                metrics.record(idle, booted);
                metrics.record(booted, idle);
            }
        });
        assertEquals(0, Exposition.value(registry, "virtsup_daemon_restarts_total{daemon=\"libvirtd\"}"));
    }

    @Test
    void anAddressInUseIsRefusedWithTheAddressNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            MetricsAddressException e = assertThrows(MetricsAddressException.class,
                    () -> MetricsServer.start(address, registry));
            assertTrue(e.getMessage().startsWith("metrics-address \"" + address + "\" cannot be bound"), e.getMessage());
        }
    }

    @Test
    void anUnknownHostIsRefusedWithTheAddressNamed() {
        MetricsAddressException e = assertThrows(MetricsAddressException.class,
                () -> MetricsServer.start("no-such-host.invalid:9474", registry));
        assertTrue(e.getMessage().startsWith("metrics-address \"no-such-host.invalid:9474\" cannot be resolved"),
                e.getMessage());
    }
}

package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server follows the configuration: bound at start, moved on reload, kept when a move is refused. */
class MetricsEndpointTest {
    private final MetricsEndpoint endpoint = new MetricsEndpoint(new PrometheusRegistry());

    @AfterEach
    void close() {
        endpoint.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void offByDefault() throws IOException {
        endpoint.start(Optional.empty());
        assertEquals(Optional.empty(), endpoint.server());
    }

    @Test
    void aChangedAddressIsBoundAndTheOldOneClosedOnCommit() throws IOException {
        int first = freePort();
        endpoint.start(Optional.of("127.0.0.1:" + first));
        int second = freePort();
        MetricsEndpoint.Move move = endpoint.prepare(Optional.of("127.0.0.1:" + second));
        assertTrue(listening(first));
        assertTrue(listening(second));
        move.commit();
        assertEquals(second, endpoint.server().orElseThrow().port());
        assertTrue(!listening(first));
    }

    @Test
    void anUnchangedAddressKeepsItsServer() throws IOException {
        int port = freePort();
        endpoint.start(Optional.of("127.0.0.1:" + port));
        MetricsServer before = endpoint.server().orElseThrow();
        endpoint.prepare(Optional.of("127.0.0.1:" + port)).commit();
        assertTrue(before == endpoint.server().orElseThrow());
        assertTrue(listening(port));
    }

    @Test
    void aRefusedMoveKeepsTheOldServer() throws IOException {
        int port = freePort();
        endpoint.start(Optional.of("127.0.0.1:" + port));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            MetricsAddressException e = assertThrows(MetricsAddressException.class, () -> endpoint.prepare(Optional.of(busy)));
            assertTrue(e.getMessage().contains(busy), e.getMessage());
        }
        assertEquals(port, endpoint.server().orElseThrow().port());
        assertTrue(listening(port));
    }

    @Test
    void anAbandonedMoveClosesTheNewServerAndKeepsTheOld() throws IOException {
        int first = freePort();
        endpoint.start(Optional.of("127.0.0.1:" + first));
        int second = freePort();
        endpoint.prepare(Optional.of("127.0.0.1:" + second)).abandon();
        assertTrue(!listening(second));
        assertEquals(first, endpoint.server().orElseThrow().port());
    }

    @Test
    void turningItOffClosesTheServer() throws IOException {
        int port = freePort();
        endpoint.start(Optional.of("127.0.0.1:" + port));
        endpoint.prepare(Optional.empty()).commit();
        assertEquals(Optional.empty(), endpoint.server());
        assertTrue(!listening(port));
    }
}

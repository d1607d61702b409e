package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class NotifierTest {
    @TempDir
    Path dir;

    /** Sends what virtsup sends over its life and returns the datagrams received, in order. */
    private static List<String> lifeCycle(UnixDatagramChannel receiver, String notifySocket) throws IOException {
        try (Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", notifySocket))) {
            assertTrue(notifier.enabled());
            notifier.status("starting virtlogd");
            notifier.ready(4242);
            notifier.reloading();
            notifier.readyAfterReload("running");
            notifier.watchdog();
            notifier.extendTimeout(java.time.Duration.ofSeconds(90));
            notifier.stopping();
        }
        List<String> received = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        for (int i = 0; i < 7; i++) {
            buffer.clear();
            receiver.receive(buffer);
            buffer.flip();
            received.add(StandardCharsets.UTF_8.decode(buffer).toString());
        }
        return received;
    }

    private static void assertLifeCycle(List<String> received) {
        assertEquals("STATUS=starting virtlogd", received.get(0));
        assertEquals("READY=1\nMAINPID=4242", received.get(1));
        assertTrue(received.get(2).matches("RELOADING=1\nMONOTONIC_USEC=\\d+"), received.get(2));
        long usec = Long.parseLong(received.get(2).substring(received.get(2).indexOf("USEC=") + 5));
        long now = System.nanoTime() / 1000;
        assertTrue(usec <= now && now - usec < 60_000_000L, "MONOTONIC_USEC is CLOCK_MONOTONIC: " + usec + " vs " + now);
        assertEquals("READY=1\nSTATUS=running", received.get(3));
        assertEquals("WATCHDOG=1", received.get(4));
        assertEquals("EXTEND_TIMEOUT_USEC=90000000", received.get(5));
        assertEquals("STOPPING=1", received.get(6));
    }

    @Test
    void sendsTheLifeCycleToAPathSocket() throws IOException {
        Path path = dir.resolve("notify");
        try (UnixDatagramChannel receiver = UnixDatagramChannel.open()) {
            receiver.bind(new UnixSocketAddress(path.toFile()));
            assertLifeCycle(lifeCycle(receiver, path.toString()));
        }
    }

    @Test
    void sendsTheLifeCycleToAnAbstractSocket() throws IOException {
        String name = "virtsup-test-" + UUID.randomUUID();
        try (UnixDatagramChannel receiver = UnixDatagramChannel.open()) {
            receiver.bind(new UnixSocketAddress("\0" + name));
            // The kernel lists the bound name exactly: no padding NULs (shown as '@'), so
            // a peer using the exact length, as systemd does, reaches the same socket.
            String table = Files.readString(Path.of("/proc/net/unix"));
            assertTrue(table.contains(" @" + name + "\n"), "abstract name bound without padding");
            assertLifeCycle(lifeCycle(receiver, "@" + name));
        }
    }

    @Test
    void doesNothingWithoutNotifySocket() throws IOException {
        Notifier notifier = Notifier.fromEnvironment(Map.of());
        assertFalse(notifier.enabled());
        notifier.ready(1);
        notifier.close();
        assertFalse(Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "")).enabled());
    }

    @Test
    void survivesAnAbsentReceiver() throws IOException {
        try (Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", dir.resolve("gone").toString()))) {
            notifier.ready(1);
            notifier.stopping();
        }
    }

    @Test
    void ignoresANotifySocketItCannotSpeakTo() throws IOException {
        assertFalse(Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/path")).enabled());
        assertFalse(Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:1234")).enabled());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new NotifyAddress("relative/path"));
        assertTrue(e.getMessage().contains("absolute path or @name"), e.getMessage());
    }
}

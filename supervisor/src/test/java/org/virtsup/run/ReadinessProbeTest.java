package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Phase;

class ReadinessProbeTest {
    @TempDir
    Path directory;

    @Test
    void aStartingDaemonIsReadyOnceItServesItsSocketAndNotBefore() throws IOException {
        Path socket = directory.resolve("virtlogd-sock");
        try (ExecutorUnderTest run = new ExecutorUnderTest(new FakePosix().addExecutable("/usr/sbin/virtlogd"),
                "(service virtlog-service-type)\n")) {
            run.boot();
            int pid = run.posix.awaitSpawned(1, Duration.ofSeconds(5)).pid();
            ReadinessProbe probe = new ReadinessProbe(run.loop, run.supervisor, daemon -> socket);
            run.onLoop(() -> {
                probe.probe(Daemon.VIRTLOGD, pid);
                return null;
            });
            run.advance(ReadinessProbe.INTERVAL.multipliedBy(3));
            assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase(), "ready with nothing listening");
            try (ServerSocketChannel held = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                held.bind(UnixDomainSocketAddress.of(socket), 16);
                run.advance(ReadinessProbe.INTERVAL.multipliedBy(5));
                assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase(),
                        "ready while the connection only waits in the held socket's backlog");

                try (SocketChannel served = held.accept()) { // the daemon takes it, as libvirt does
                    ByteBuffer word = ByteBuffer.allocate(4);
                    while (word.hasRemaining() && served.read(word) >= 0) {
                        // the four bytes may come apart
                    }
                    assertArrayEquals(new byte[4], word.array(), "libvirt's length word of 0");
                    run.advance(ReadinessProbe.INTERVAL.multipliedBy(2));
                    assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase(), "ready before it hung up");
                }
                run.advance(ReadinessProbe.INTERVAL);
                assertTrue(run.state(Daemon.VIRTLOGD).ready());
            }
        }
    }

    /** A held socket whose backlog is full: the probe tries again later instead of blocking the loop in connect. */
    @Test
    void aFullBacklogNeverBlocksTheLoop() throws IOException {
        Path socket = directory.resolve("virtlogd-sock");
        try (ExecutorUnderTest run = new ExecutorUnderTest(new FakePosix().addExecutable("/usr/sbin/virtlogd"),
                "(service virtlog-service-type)\n");
             ServerSocketChannel held = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            held.bind(UnixDomainSocketAddress.of(socket), 1);
            java.util.List<SocketChannel> waiting = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // a backlog of 1 takes 2 before it refuses
                    waiting.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
                }
                run.boot();
                int pid = run.posix.awaitSpawned(1, Duration.ofSeconds(5)).pid();
                ReadinessProbe probe = new ReadinessProbe(run.loop, run.supervisor, daemon -> socket);
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> run.onLoop(() -> {
                    probe.probe(Daemon.VIRTLOGD, pid);
                    return null;
                }));
                assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase());
            } finally {
                for (SocketChannel client : waiting) {
                    client.close();
                }
            }
        }
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
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
    void aStartingDaemonIsReadyOnceItsSocketAnswersAndNotBefore() throws IOException {
        Path socket = directory.resolve("virtlogd-sock");
        try (SupervisorUnderTest run = new SupervisorUnderTest(new FakePosix().addExecutable("/usr/sbin/virtlogd"),
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
            try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                daemon.bind(UnixDomainSocketAddress.of(socket));
                run.advance(ReadinessProbe.INTERVAL);
                assertTrue(run.state(Daemon.VIRTLOGD).ready());
            }
        }
    }
}

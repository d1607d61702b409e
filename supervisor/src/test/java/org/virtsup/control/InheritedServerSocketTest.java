package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.BufferedReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Posix;

/**
 * The control socket as a live re-exec hands it over: a listening descriptor
 * served as it is, so that a client that connected while nobody accepted
 * (during the exec) is answered, not refused.
 */
@Timeout(60)
class InheritedServerSocketTest {
    @TempDir
    Path dir;

    @Test
    void aClientWaitingInTheBacklogIsAnsweredOnceTheInheritedSocketIsServed() throws Exception {
        Posix posix = new JnrPosix();
        Path socket = dir.resolve("control.sock");
        int fd = posix.listenUnix(socket.toString(), 16);
        ControlServerSettings settings = ControlServerSettings.of(socket, "root", 0, Duration.ofSeconds(30),
                Duration.ofSeconds(20));
        // Connected and asked while nobody accepts, as during the exec: the backlog holds it.
        SocketChannel early = SocketChannel.open(StandardProtocolFamily.UNIX);
        early.connect(UnixDomainSocketAddress.of(socket));
        Request status = new Request.Status(Optional.empty());
        early.write(ByteBuffer.wrap((ControlProtocol.encodeRequest(status) + "\n").getBytes(StandardCharsets.UTF_8)));
        ControlServer first = ControlServer.serveInherited(settings, new FakeSupervisor(), posix, fd);
        try (BufferedReader reply = new BufferedReader(Channels.newReader(early, StandardCharsets.UTF_8))) {
            assertInstanceOf(StatusReport.class, ControlProtocol.decodeReply(reply.readLine(), status));
        }
        // Handed over again, as by a second re-exec: a client that connects while nobody accepts waits.
        assertEquals(fd, first.stopAcceptingForHandOver());
        SocketChannel waiting = SocketChannel.open(StandardProtocolFamily.UNIX);
        waiting.connect(UnixDomainSocketAddress.of(socket));
        waiting.write(ByteBuffer.wrap((ControlProtocol.encodeRequest(status) + "\n").getBytes(StandardCharsets.UTF_8)));
        try (ControlServer next = ControlServer.serveInherited(settings, new FakeSupervisor(), posix, fd);
             BufferedReader reply = new BufferedReader(Channels.newReader(waiting, StandardCharsets.UTF_8))) {
            assertInstanceOf(StatusReport.class, ControlProtocol.decodeReply(reply.readLine(), status));
            assertInstanceOf(StatusReport.class, new ControlClient(next.socket(), Duration.ofSeconds(10))
                    .call(new Request.Status(Optional.empty())));
        }
        assertFalse(Files.exists(socket), "closing the server removes its socket file as a bound one does");
    }
}

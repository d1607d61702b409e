package org.virtsup.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.virtsup.control.ControlProtocol;
import org.virtsup.control.StatusReport;
import org.virtsup.supervise.Phase;
import org.virtsup.control.Wanted;

/**
 * A stand-in control socket that answers one status request with a typical
 * report, JDK only. It exists so that a class-data sharing archive of the
 * CLI's client path can be made without a running virtsup (see
 * {@link ClientTraining}); it never serves operators.
 */
final class TrainingServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;

    private TrainingServer(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.thread = new Thread(this::answerOne, "virtsup-training-server");
        this.thread.setDaemon(true);
    }

    public static TrainingServer start(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        TrainingServer training = new TrainingServer(socket, server);
        training.thread.start();
        return training;
    }

    public Path socket() {
        return socket;
    }

    /** A report with a healthy daemon and a failing one, so every line of StatusText runs. */
    static StatusReport sample() {
        return new StatusReport(new StatusReport.Virtsup(1, 3600, Optional.of("/etc/virtsup/config.scm"), true,
                "training"), List.of(
                new StatusReport.Daemon("virtlogd", Wanted.UP, Phase.RUNNING, OptionalInt.of(2),
                        OptionalLong.of(3599), true, 0, Optional.empty(), OptionalLong.empty(), List.of(), List.of()),
                new StatusReport.Daemon("libvirtd", Wanted.UP, Phase.BACKOFF, OptionalInt.empty(),
                        OptionalLong.empty(), false, 1,
                        Optional.of(new StatusReport.LastExit("exited with code 1", OptionalInt.of(1),
                                OptionalInt.empty(), Instant.parse("2026-01-01T00:00:00Z"))),
                        OptionalLong.of(1), List.of("output"), List.of("warning"))));
    }

    private void answerOne() {
        try (SocketChannel channel = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocate(ControlProtocol.MAX_LINE_BYTES);
            while (channel.read(buffer) > 0 && buffer.get(buffer.position() - 1) != '\n') {
                // Until the whole request line is in.
            }
            ByteBuffer reply = ByteBuffer.wrap((ControlProtocol.encodeReply(sample()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            while (reply.hasRemaining()) {
                channel.write(reply);
            }
        } catch (IOException e) {
            // The training client reports what it got; nothing to add here.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}

package org.virtsup.it.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtRpcTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path directory;

    @Test
    void connectOpenArgumentsAreAnOptionalStringPaddedToFourBytesThenTheFlags() {
        byte[] expected = new byte[28];
        ByteBuffer buffer = ByteBuffer.wrap(expected);
        buffer.putInt(1).putInt(14).put("qemu:///system".getBytes(StandardCharsets.US_ASCII));
        // two bytes of padding, then flags 0: already zero
        assertArrayEquals(expected, LibvirtRpc.connectOpenArguments("qemu:///system"));
    }

    @Test
    void aCallIsItsLengthThenSixHeaderWordsThenItsArguments() {
        ByteBuffer call = LibvirtRpc.encodeCall(LibvirtRpc.ADMIN_PROGRAM, 1, 7, new byte[] {0, 0, 0, 5});
        assertEquals(32, call.remaining());
        assertEquals(32, call.getInt());
        assertEquals(0x06900690, call.getInt());
        assertEquals(1, call.getInt()); // version
        assertEquals(1, call.getInt()); // procedure
        assertEquals(0, call.getInt()); // CALL
        assertEquals(7, call.getInt()); // serial
        assertEquals(0, call.getInt()); // status OK
        assertEquals(5, call.getInt());
    }

    @Test
    void libvirtdAnswersWhenBothCallsGetSuccessfulReplies() throws Exception {
        try (FakeDaemon daemon = FakeDaemon.start(directory.resolve("libvirt-sock"), false)) {
            assertInstanceOf(LibvirtRpc.Answered.class, LibvirtRpc.libvirtdAnswers(daemon.socket, TIMEOUT));
            assertEquals(List.of(LibvirtRpc.REMOTE_PROC_AUTH_LIST, LibvirtRpc.REMOTE_PROC_CONNECT_OPEN),
                    daemon.procedures());
        }
    }

    @Test
    void anErrorReplyIsNotAnAnswerAndSaysWhy() throws Exception {
        try (FakeDaemon daemon = FakeDaemon.start(directory.resolve("virtlogd-admin-sock"), true)) {
            LibvirtRpc.Outcome outcome = LibvirtRpc.adminAnswers(daemon.socket, TIMEOUT);
            LibvirtRpc.NotAnswered not = assertInstanceOf(LibvirtRpc.NotAnswered.class, outcome);
            assertTrue(not.listening());
            assertTrue(not.why().contains("authentication required"), not.why());
        }
    }

    @Test
    void aMissingSocketIsNotListening() {
        LibvirtRpc.NotAnswered not = assertInstanceOf(LibvirtRpc.NotAnswered.class,
                LibvirtRpc.adminAnswers(directory.resolve("absent"), TIMEOUT));
        assertFalse(not.listening());
    }

    @Test
    void aDaemonThatAcceptsButNeverRepliesTimesOut() throws Exception {
        Path socket = directory.resolve("silent");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket)); // connect() succeeds from the backlog
            long started = System.nanoTime();
            LibvirtRpc.NotAnswered not = assertInstanceOf(LibvirtRpc.NotAnswered.class,
                    LibvirtRpc.adminAnswers(socket, TimeUnit.MILLISECONDS.toNanos(100)));
            assertTrue(not.listening());
            assertTrue(System.nanoTime() - started < TIMEOUT, "gave up long after its timeout");
        }
    }

    /** Replies to each call, OK with an empty result or an error "authentication required". */
    private static final class FakeDaemon implements AutoCloseable {
        final Path socket;
        private final ServerSocketChannel server;
        private final boolean fail;
        private final List<Integer> procedures = new ArrayList<>();
        private final Thread thread;

        private FakeDaemon(Path socket, ServerSocketChannel server, boolean fail) {
            this.socket = socket;
            this.server = server;
            this.fail = fail;
            this.thread = new Thread(this::serve, "fake-libvirt-daemon");
        }

        static FakeDaemon start(Path socket, boolean fail) throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            FakeDaemon daemon = new FakeDaemon(socket, server, fail);
            daemon.thread.start();
            return daemon;
        }

        synchronized List<Integer> procedures() {
            return List.copyOf(procedures);
        }

        private void serve() {
            try (SocketChannel client = server.accept()) {
                while (true) {
                    ByteBuffer length = ByteBuffer.allocate(4);
                    if (!readFully(client, length)) {
                        return;
                    }
                    ByteBuffer call = ByteBuffer.allocate(length.flip().getInt() - 4);
                    if (!readFully(client, call)) {
                        return;
                    }
                    call.flip();
                    int program = call.getInt();
                    int version = call.getInt();
                    int procedure = call.getInt();
                    call.getInt();
                    int serial = call.getInt();
                    synchronized (this) {
                        procedures.add(procedure);
                    }
                    byte[] body = fail ? error("authentication required") : new byte[0];
                    ByteBuffer reply = ByteBuffer.allocate(28 + body.length);
                    reply.putInt(28 + body.length).putInt(program).putInt(version).putInt(procedure).putInt(1)
                            .putInt(serial).putInt(fail ? 1 : 0).put(body).flip();
                    while (reply.hasRemaining()) {
                        client.write(reply);
                    }
                }
            } catch (IOException e) {
                // The test closed the server.
            }
        }

        private static byte[] error(String message) {
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            ByteBuffer error = ByteBuffer.allocate(16 + ((text.length + 3) & ~3));
            error.putInt(9).putInt(7).putInt(1).putInt(text.length).put(text);
            return error.array();
        }

        private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(socket);
        }
    }
}

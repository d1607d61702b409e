package org.virtsup.it.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How long a running virtsup takes to answer one status request, seen from a
 * client JVM that is already warm: connect, send the request line, read the
 * reply line. This part of a {@code virtsup status} call is the server's, not
 * the client's start-up; the benchmark prints it beside the calls.
 */
final class ControlReplyTimer {
    private static final byte[] STATUS = "{\"v\":1,\"command\":\"status\"}\n".getBytes(StandardCharsets.UTF_8);

    private ControlReplyTimer() {}

    /** Nanoseconds of one exchange on SOCKET. */
    static long exchange(Path socket) throws IOException {
        long started = System.nanoTime();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(STATUS));
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (true) {
                int before = buffer.position();
                if (channel.read(buffer) < 0) {
                    throw new IOException("virtsup closed the connection without a reply");
                }
                for (int i = before; i < buffer.position(); i++) {
                    if (buffer.get(i) == '\n') {
                        return System.nanoTime() - started;
                    }
                }
                if (!buffer.hasRemaining()) {
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
                }
            }
        }
    }
}

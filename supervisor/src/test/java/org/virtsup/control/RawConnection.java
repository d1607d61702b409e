package org.virtsup.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A test client that writes raw bytes and reads raw lines, to probe the server's edges. */
final class RawConnection implements AutoCloseable {
    final SocketChannel channel;

    RawConnection(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    /** Over a channel already connected. */
    RawConnection(SocketChannel connected) {
        channel = connected;
    }

    void send(String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** The next line, or null when the server closed the connection. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (one.get(0) == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(one.get(0));
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package org.virtsup.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A client that connects, sends one request line and exits without waiting
 * for the reply: by the time the server looks at it, the process is gone.
 * Arguments: SOCKET LINE.
 */
public final class SendAndLeave {
    private SendAndLeave() {}

    public static void main(String[] args) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(args[0]));
            ByteBuffer line = ByteBuffer.wrap((args[1] + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
        }
    }
}

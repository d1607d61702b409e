package org.virtsup.it.control;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Runs inside the container (see {@link ContainerPrograms}): plays the init
 * system's side of sd_notify. Binds a unix datagram socket at PATH, prints
 * {@code listening}, then each datagram on one line, its KEY=VALUE lines
 * joined by {@code |}, in the order received. The JDK 17 cannot bind a unix
 * datagram socket, so this uses jnr-unixsocket from virtsup's class path.
 *
 * <pre>NotifyReceiver PATH</pre>
 */
public final class NotifyReceiver {
    private NotifyReceiver() {
    }

    public static void main(String[] args) throws IOException {
        File path = new File(args[0]);
        if (path.exists() && !path.delete()) {
            throw new IOException("cannot remove the old " + path);
        }
        try (UnixDatagramChannel channel = UnixDatagramChannel.open()) {
            channel.bind(new UnixSocketAddress(path));
            System.out.println("listening");
            System.out.flush();
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            while (true) {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                String message = StandardCharsets.UTF_8.decode(buffer).toString();
                System.out.println("message " + message.strip().replace('\n', '|'));
                System.out.flush();
            }
        }
    }
}

package org.virtsup.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Sends one request to the control socket and reads the reply, with the JDK's
 * own unix sockets only: this runs in every {@code virtsup status} health probe,
 * where loading jnr would triple the start-up time.
 */
public final class ControlClient {
    /** A reply may be long (a log of many lines), but not endless. */
    static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private final Duration timeout;

    /**
     * @param timeout how long to wait for the whole exchange before giving up
     */
    public ControlClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * @throws ControlUnreachableException when nothing listens, the socket is not
     *                                     accessible, or the reply does not come in time
     * @throws ProtocolException           when the reply cannot be read
     */
    public Reply call(Request request) throws ControlUnreachableException, ProtocolException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new ControlUnreachableException(socket, "cannot open a socket: " + e.getMessage());
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread watchdog = new Thread(new Deadline(done, channel, timeout), "virtsup-client-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new ControlUnreachableException(socket, reason(e) + " (is virtsup running? is this"
                        + " its control-socket? set --socket or VIRTSUP_SOCKET)");
            }
            ByteBuffer out = ByteBuffer.wrap((ControlProtocol.encodeRequest(request) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            String line = readLine(channel);
            if (line == null) {
                throw new ControlUnreachableException(socket, "it closed the connection without a reply");
            }
            return ControlProtocol.decodeReply(line, request);
        } catch (AsynchronousCloseException e) {
            throw new ControlUnreachableException(socket, "no reply within " + timeout.toSeconds() + " s");
        } catch (ControlUnreachableException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlUnreachableException(socket, reason(e));
        } finally {
            done.countDown();
        }
    }

    /**
     * Closes the channel when the exchange outlives the timeout, which wakes the
     * blocked read: the JDK's socket channels have no read timeout of their own.
     */
    private static final class Deadline implements Runnable {
        private final CountDownLatch done;
        private final SocketChannel channel;
        private final Duration timeout;

        Deadline(CountDownLatch done, SocketChannel channel, Duration timeout) {
            this.done = done;
            this.channel = channel;
            this.timeout = timeout;
        }

        @Override
        public void run() {
            try {
                // convert() saturates where toMillis() throws: --timeout accepts any positive long.
                if (!done.await(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS)) {
                    channel.close();
                }
            } catch (InterruptedException | IOException e) {
                // The exchange ends either way.
            }
        }
    }

    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            if (line.size() > MAX_REPLY_BYTES) {
                throw new IOException("reply longer than " + MAX_REPLY_BYTES + " bytes");
            }
        }
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}

package org.virtsup.it.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs inside the container (see {@link ContainerPrograms}): writes raw bytes
 * to the control socket, as a broken or hostile client would, and prints what
 * comes back, one finding per line.
 *
 * <pre>
 * RawRequests SOCKET lines LINE...     each LINE (or "@binary": 255 bytes, every value but '\n'),
 *                                      one after the other on one connection; prints "reply TEXT" for each
 * RawRequests SOCKET stalled COUNT     COUNT connections each with a half-sent request, then a status on
 *                                      another; prints "status answered in MS ms with COUNT stalled: REPLY"
 * RawRequests SOCKET eof LINE           LINE without a newline, then end of stream; prints "reply TEXT"
 * RawRequests SOCKET oversized BYTES   BYTES of 'x' without a newline; prints the replies, then "closed"
 * RawRequests SOCKET half              a request cut off before its newline, then silence; meanwhile
 *                                      a second connection asks for status. Prints "sent", "other client
 *                                      after MS ms, answered in MS ms: REPLY", "closed after MS ms, N bytes
 *                                      received" (times since the half request was sent)
 * </pre>
 * Gives up (exit 3) after a minute, so a hang shows as a failure, not a stuck build.
 */
public final class RawRequests {
    private RawRequests() {
    }

    public static void main(String[] args) throws IOException {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("gave up after 60 s");
            System.out.flush();
            Runtime.getRuntime().halt(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        if (args[1].equals("stalled")) {
            stalled(Path.of(args[0]), Integer.parseInt(args[2]));
            System.out.flush();
            return;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            BufferedReader replies = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            switch (args[1]) {
                case "lines" -> lines(channel, replies, Arrays.copyOfRange(args, 2, args.length));
                case "oversized" -> oversized(channel, replies, Integer.parseInt(args[2]));
                case "half" -> half(channel, Path.of(args[0]));
                case "eof" -> endOfStream(channel, replies, args[2]);
                default -> throw new IllegalArgumentException("unknown mode " + args[1]);
            }
        }
        System.out.flush();
    }

    private static void lines(SocketChannel channel, BufferedReader replies, String[] lines) throws IOException {
        for (String line : lines) {
            byte[] bytes = line.equals("@binary") ? binary() : (line + "\n").getBytes(StandardCharsets.UTF_8);
            writeAll(channel, bytes);
            String reply = replies.readLine();
            System.out.println(reply == null ? "closed" : "reply " + reply);
            if (reply == null) {
                return;
            }
        }
    }

    /** COUNT connections each holding a half-sent request, then one status request on a connection of its own. */
    private static void stalled(Path socket, int count) throws IOException {
        SocketChannel[] stalled = new SocketChannel[count];
        try {
            for (int i = 0; i < count; i++) {
                stalled[i] = SocketChannel.open(StandardProtocolFamily.UNIX);
                stalled[i].connect(UnixDomainSocketAddress.of(socket));
                writeAll(stalled[i], "{\"v\":1,\"command\":\"sta".getBytes(StandardCharsets.UTF_8));
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                long asked = System.nanoTime();
                probe.connect(UnixDomainSocketAddress.of(socket));
                writeAll(probe, "{\"v\":1,\"command\":\"status\"}\n".getBytes(StandardCharsets.UTF_8));
                String reply = new BufferedReader(new InputStreamReader(Channels.newInputStream(probe),
                        StandardCharsets.UTF_8)).readLine();
                System.out.println("status answered in " + (System.nanoTime() - asked) / 1_000_000 + " ms with "
                        + count + " stalled: " + reply);
            }
        } finally {
            for (SocketChannel channel : stalled) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    /** LINE without a newline, then end of stream on our side (as echo -n ... | socat does); prints the reply. */
    private static void endOfStream(SocketChannel channel, BufferedReader replies, String line) throws IOException {
        writeAll(channel, line.getBytes(StandardCharsets.UTF_8));
        channel.shutdownOutput();
        String reply = replies.readLine();
        System.out.println(reply == null ? "closed" : "reply " + reply);
    }

    private static byte[] binary() {
        byte[] bytes = new byte[256];
        int at = 0;
        for (int value = 0; value < 256; value++) {
            if (value != '\n') {
                bytes[at++] = (byte) value;
            }
        }
        bytes[at] = '\n';
        return bytes;
    }

    private static void oversized(SocketChannel channel, BufferedReader replies, int size) throws IOException {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        // The server may stop reading and close mid-way: write from another thread so replies are read meanwhile.
        Thread writer = new Thread(() -> {
            try {
                writeAll(channel, bytes);
                System.out.println("wrote " + size + " bytes");
            } catch (IOException e) {
                System.out.println("write stopped: " + e.getMessage());
            }
        });
        writer.start();
        try {
            String reply;
            while ((reply = replies.readLine()) != null) {
                System.out.println("reply " + reply);
            }
            System.out.println("closed");
        } catch (SocketException e) {
            // The server closed with our unread bytes still queued: the kernel reports a reset.
            System.out.println("closed (" + e.getMessage() + ")");
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void half(SocketChannel channel, Path socket) throws IOException {
        writeAll(channel, "{\"v\":1,\"command\":\"sta".getBytes(StandardCharsets.UTF_8));
        long sent = System.nanoTime();
        System.out.println("sent");
        // While that connection hangs, another client asks for status.
        try (SocketChannel other = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.connect(UnixDomainSocketAddress.of(socket));
            long asked = System.nanoTime();
            writeAll(other, "{\"v\":1,\"command\":\"status\"}\n".getBytes(StandardCharsets.UTF_8));
            String reply = new BufferedReader(new InputStreamReader(Channels.newInputStream(other),
                    StandardCharsets.UTF_8)).readLine();
            long now = System.nanoTime();
            System.out.println("other client after " + (now - sent) / 1_000_000 + " ms, answered in "
                    + (now - asked) / 1_000_000 + " ms: " + reply);
        }
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long received = 0;
        int read;
        while ((read = channel.read(buffer)) >= 0) {
            received += read;
            buffer.clear();
        }
        System.out.println("closed after " + (System.nanoTime() - sent) / 1_000_000 + " ms, " + received
                + " bytes received");
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}

package org.virtsup.it.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The first exchange of libvirt's RPC protocol, spoken directly over a unix
 * socket, to tell to the millisecond when a daemon answers: virsh or
 * virt-admin would add 20-50 ms of their own start-up to every check.
 *
 * <p>The wire format (libvirt's src/rpc/virnetprotocol.x): each message is a
 * 4-byte big-endian length (counting itself), a header of six XDR words
 * (program, version, procedure, type CALL=0 or REPLY=1, serial, status OK=0
 * or ERROR=1), then the XDR-encoded arguments or result.
 *
 * <p>libvirtd's remote program answers only once its drivers are initialised
 * (until then it does not accept on its sockets), so a reply to
 * REMOTE_PROC_CONNECT_OPEN for {@code qemu:///system} means "the QEMU driver
 * serves". Before it, REMOTE_PROC_AUTH_LIST, as virsh does: it is where
 * libvirtd lets a root client past {@code auth_unix_rw = "polkit"}. virtlogd
 * answers on its admin socket to ADMIN_PROC_CONNECT_OPEN.
 *
 * <p>JDK only: this class runs inside the containers, in {@link InContainerProbe}'s JVM.
 */
final class LibvirtRpc {
    static final int REMOTE_PROGRAM = 0x20008086;
    static final int REMOTE_PROC_CONNECT_OPEN = 1;
    static final int REMOTE_PROC_AUTH_LIST = 66;
    static final int ADMIN_PROGRAM = 0x06900690;
    static final int ADMIN_PROC_CONNECT_OPEN = 1;

    private static final int CALL = 0;
    private static final int REPLY = 1;
    private static final int STATUS_OK = 0;

    private LibvirtRpc() {
    }

    /** Why a daemon did not answer, or empty when it did. */
    sealed interface Outcome permits Answered, NotAnswered {
    }

    record Answered() implements Outcome {
    }

    /** {@code listening} = the connect succeeded (the daemon exists) but no reply came in time. */
    record NotAnswered(boolean listening, String why) implements Outcome {
    }

    /** REMOTE_PROC_AUTH_LIST then REMOTE_PROC_CONNECT_OPEN("qemu:///system", 0) on libvirtd's read-write socket. */
    static Outcome libvirtdAnswers(Path socket, long timeoutNanos) {
        return exchange(socket, timeoutNanos, new Call[] {
                new Call(REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, new byte[0]),
                new Call(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, connectOpenArguments("qemu:///system")),
        });
    }

    /** ADMIN_PROC_CONNECT_OPEN(flags 0) on a daemon's admin socket (virtlogd-admin-sock). */
    static Outcome adminAnswers(Path socket, long timeoutNanos) {
        return exchange(socket, timeoutNanos, new Call[] {
                new Call(ADMIN_PROGRAM, ADMIN_PROC_CONNECT_OPEN, new byte[4]),
        });
    }

    private record Call(int program, int procedure, byte[] arguments) {
    }

    /** remote_connect_open_args: remote_string name (an optional string), int flags. */
    static byte[] connectOpenArguments(String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 3) & ~3;
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 + padded + 4);
        buffer.putInt(1); // the optional string is present
        buffer.putInt(text.length).put(text);
        buffer.position(8 + padded);
        buffer.putInt(0); // flags
        return buffer.array();
    }

    static ByteBuffer encodeCall(int program, int procedure, int serial, byte[] arguments) {
        ByteBuffer message = ByteBuffer.allocate(28 + arguments.length);
        message.putInt(28 + arguments.length).putInt(program).putInt(1).putInt(procedure)
                .putInt(CALL).putInt(serial).putInt(0).put(arguments);
        return message.flip();
    }

    private static Outcome exchange(Path socket, long timeoutNanos, Call[] calls) {
        long deadline = System.nanoTime() + timeoutNanos;
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            return new NotAnswered(false, "cannot open a unix socket: " + e);
        }
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                return new NotAnswered(false, "connect " + socket + ": " + e.getMessage());
            }
            channel.configureBlocking(false);
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_READ);
                int serial = 1;
                for (Call call : calls) {
                    ByteBuffer request = encodeCall(call.program(), call.procedure(), serial, call.arguments());
                    while (request.hasRemaining()) {
                        channel.write(request);
                    }
                    Optional<ByteBuffer> reply = readMessage(channel, selector, deadline);
                    if (reply.isEmpty()) {
                        return new NotAnswered(true, "no reply to procedure " + call.procedure() + " in time");
                    }
                    String problem = checkReply(reply.get(), call, serial);
                    if (problem != null) {
                        return new NotAnswered(true, problem);
                    }
                    serial++;
                }
                return new Answered();
            }
        } catch (IOException e) {
            return new NotAnswered(true, "exchange on " + socket + ": " + e.getMessage());
        }
    }

    /** The whole message after its length word, or empty at the deadline or when the daemon closed the connection. */
    private static Optional<ByteBuffer> readMessage(SocketChannel channel, Selector selector, long deadline)
            throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        if (!fill(channel, selector, length, deadline)) {
            return Optional.empty();
        }
        int size = length.flip().getInt();
        if (size < 28 || size > (1 << 24)) {
            throw new IOException("implausible message length " + size);
        }
        ByteBuffer body = ByteBuffer.allocate(size - 4);
        return fill(channel, selector, body, deadline) ? Optional.of(body.flip()) : Optional.empty();
    }

    private static boolean fill(SocketChannel channel, Selector selector, ByteBuffer buffer, long deadline)
            throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer);
            if (read < 0) {
                return false;
            }
            if (read == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
        }
        return true;
    }

    /** Null when the reply is the successful answer to this call, else what is wrong with it. */
    private static String checkReply(ByteBuffer reply, Call call, int serial) {
        int program = reply.getInt();
        reply.getInt(); // version
        int procedure = reply.getInt();
        int type = reply.getInt();
        int replySerial = reply.getInt();
        int status = reply.getInt();
        if (program != call.program() || procedure != call.procedure() || type != REPLY || replySerial != serial) {
            return String.format("unexpected message: program %#x procedure %d type %d serial %d", program,
                    procedure, type, replySerial);
        }
        if (status != STATUS_OK) {
            return "error reply to procedure " + procedure + ": " + errorText(reply);
        }
        return null;
    }

    /** virNetMessageError: int code, int domain, optional string message, ... */
    private static String errorText(ByteBuffer reply) {
        try {
            int code = reply.getInt();
            int domain = reply.getInt();
            String message = "";
            if (reply.getInt() != 0) {
                byte[] text = new byte[reply.getInt()];
                reply.get(text);
                message = new String(text, StandardCharsets.UTF_8);
            }
            return "code " + code + " domain " + domain + ": " + message;
        } catch (RuntimeException e) {
            return "(undecodable error)";
        }
    }
}

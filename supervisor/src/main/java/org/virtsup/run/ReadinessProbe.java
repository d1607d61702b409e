package org.virtsup.run;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;

/**
 * Readiness without sd_notify: a daemon whose notify socket could not be made
 * is ready once it serves its own socket. A connect alone proves nothing: the
 * socket is virtsup's, held across restarts, and a connection waits in its
 * backlog until the daemon accepts. So the probe sends a libvirt RPC length
 * word of 0, which no message can have, and the daemon is ready once it
 * closes that connection: libvirt (9.0 and 11.3, each of its five sockets)
 * reads the word, logs "packet 0 bytes received from server too small" and
 * closes. One chain of attempts per process start or re-execution, on the
 * event loop, until the daemon is no longer waiting for it; it never blocks.
 */
final class ReadinessProbe {
    /** How often a daemon without a notify socket is probed while it starts. */
    static final Duration INTERVAL = Duration.ofMillis(20);
    /** A length word shorter than the word itself: libvirt refuses it and hangs up. */
    private static final byte[] NO_MESSAGE = {0, 0, 0, 0};

    private final EventLoop loop;
    private final SupervisionExecutor supervisor;
    private final Function<Daemon, Path> socketOf;

    ReadinessProbe(EventLoop loop, SupervisionExecutor supervisor, Function<Daemon, Path> socketOf) {
        this.loop = loop;
        this.supervisor = supervisor;
        this.socketOf = socketOf;
    }

    /** Starts probing {@code pid}'s socket; call on the event loop, outside a step. */
    void probe(Daemon daemon, int pid) {
        if (!waiting(daemon, pid)) {
            return;
        }
        Optional<SocketChannel> asked = ask(socketOf.apply(daemon));
        if (asked.isPresent()) {
            awaitHangUp(daemon, pid, asked.get());
        } else {
            loop.schedule(INTERVAL, () -> probe(daemon, pid));
        }
    }

    private boolean waiting(Daemon daemon, int pid) {
        DaemonState state = supervisor.state().daemon(daemon);
        return state.pid() == pid && (state.phase() == Phase.STARTING || state.reexecPending());
    }

    /** A connection to {@code socket} that carries the word, or none while nothing listens there. */
    private static Optional<SocketChannel> ask(Path socket) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false); // a full backlog is EAGAIN, never a wait on the loop
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("not connected yet"); // a unix socket connects at once or not at all
            }
            ByteBuffer word = ByteBuffer.wrap(NO_MESSAGE);
            channel.write(word);
            if (word.hasRemaining()) {
                throw new IOException("the length word did not fit"); // four bytes always fit a fresh socket
            }
            return Optional.of(channel);
        } catch (IOException notYet) {
            close(channel);
            return Optional.empty();
        }
    }

    /** Ready once the daemon hung up on the word; asked again if the connection broke otherwise. */
    private void awaitHangUp(Daemon daemon, int pid, SocketChannel channel) {
        if (!waiting(daemon, pid)) {
            close(channel);
            return;
        }
        int read;
        try {
            read = channel.read(ByteBuffer.allocate(64));
        } catch (IOException reset) {
            read = -1; // it hung up without reading all: it served the connection all the same
        }
        if (read == 0) {
            loop.schedule(INTERVAL, () -> awaitHangUp(daemon, pid, channel));
            return;
        }
        close(channel);
        if (read < 0) {
            supervisor.ready(daemon);
        } else {
            loop.schedule(INTERVAL, () -> probe(daemon, pid)); // an answer from something else: ask again
        }
    }

    private static void close(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do with it
            }
        }
    }

    /** Whether something accepts connections on {@code socket} (or holds it with a backlog). */
    static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}

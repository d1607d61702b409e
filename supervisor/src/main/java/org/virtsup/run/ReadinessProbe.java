package org.virtsup.run;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;

/**
 * Readiness without sd_notify: a daemon whose notify socket could not be made
 * is ready once its own socket accepts a connection. One chain of attempts per
 * process start or re-execution, on the event loop, until the daemon is no
 * longer waiting for it.
 */
final class ReadinessProbe {
    /** How often a daemon without a notify socket is probed while it starts. */
    static final Duration INTERVAL = Duration.ofMillis(20);

    private final EventLoop loop;
    private final Supervisor supervisor;
    private final Function<Daemon, Path> socketOf;

    ReadinessProbe(EventLoop loop, Supervisor supervisor, Function<Daemon, Path> socketOf) {
        this.loop = loop;
        this.supervisor = supervisor;
        this.socketOf = socketOf;
    }

    /** Starts probing {@code pid}'s socket; call on the event loop, outside a step. */
    void probe(Daemon daemon, int pid) {
        DaemonState state = supervisor.state().daemon(daemon);
        boolean waiting = state.pid() == pid && (state.phase() == Phase.STARTING || state.reexecPending());
        if (!waiting) {
            return;
        }
        if (answers(socketOf.apply(daemon))) {
            supervisor.ready(daemon);
        } else {
            loop.schedule(INTERVAL, () -> probe(daemon, pid));
        }
    }

    static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}

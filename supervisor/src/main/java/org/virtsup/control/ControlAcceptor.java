package org.virtsup.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket's one accepting thread. It pauses when accept fails (out
 * of descriptors) rather than spin, waits for a place in the
 * {@link ConnectionTable}, and hands each admitted connection on. It can be
 * stopped with the socket left listening: connections made from then on wait
 * in its backlog, as for a live re-exec, whose next virtsup accepts them.
 */
final class ControlAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final UnixServerSocketChannel server;
    private final Path socket;
    private final ConnectionTable table;
    private final Consumer<ConnectionTable.Connection> serve;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private volatile boolean stopped = true;
    private volatile Thread thread;

    ControlAcceptor(UnixServerSocketChannel server, Path socket, ConnectionTable table,
                    Consumer<ConnectionTable.Connection> serve) {
        this.server = server;
        this.socket = socket;
        this.table = table;
        this.serve = serve;
    }

    synchronized void start() {
        if (!stopped || (thread != null && thread.isAlive())) {
            return; // running, or a stopped one still blocked: never two acceptors on one socket
        }
        stopped = false;
        Thread started = new Thread(this::loop, "virtsup-control-acceptor");
        started.setDaemon(true);
        thread = started;
        started.start();
    }

    /**
     * Stops accepting; returns once the thread has ended (or after 5 s). The
     * socket stays listening. A waiting acceptor is let go by freeing every
     * place in the table (not by interrupting it: jnr closes a channel whose
     * accept is interrupted); unless {@code forGood} (the server closes), the
     * table's count is put right afterwards, so that its limit still holds
     * should accepting start again.
     */
    synchronized void stop(boolean forGood) {
        Thread running = thread;
        if (stopped || running == null) {
            return;
        }
        stopped = true;
        table.releaseWaiters();
        wake(running);
        try {
            running.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!forGood && !running.isAlive()) {
            table.restorePlaces();
        }
    }

    private void loop() {
        while (!stopped) {
            UnixSocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (!stopped) {
                    pauseAfter(e);
                }
                continue;
            }
            long failures = backoff.succeeded();
            if (failures > 0) {
                LOG.info("control socket {}: accepting again after {} failed attempts", socket, failures);
            }
            ConnectionTable.Connection connection;
            try {
                connection = stopped ? null : table.admit(channel);
            } catch (InterruptedException e) {
                connection = null;
            }
            if (connection == null || stopped) {
                if (connection != null) {
                    table.release(connection);
                }
                ControlServer.closeQuietly(channel);
                return;
            }
            serve.accept(connection);
        }
    }

    /**
     * accept failed, most likely for want of descriptors (EMFILE, ENFILE): the
     * connection stays in the backlog and the next accept would fail at once.
     * Said once per run of failures; the pause grows up to a second.
     */
    private void pauseAfter(IOException e) {
        Duration pause = backoff.failed();
        if (backoff.firstFailure()) {
            LOG.warn("control socket {}: {}; trying again with pauses of up to {} ms until it works",
                    socket, e.getMessage(), AcceptBackoff.LONGEST.toMillis());
        }
        LockSupport.parkNanos(pause.toNanos());
    }

    /**
     * A blocked accept() is not woken by closing the listening descriptor on
     * Linux; a connection of our own is the reliable way.
     */
    private void wake(Thread running) {
        LockSupport.unpark(running);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            LOG.debug("waking the control acceptor: {}", e.getMessage());
        }
    }
}

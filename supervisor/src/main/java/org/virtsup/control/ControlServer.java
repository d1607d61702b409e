package org.virtsup.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Errno;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;

/**
 * Serves the control socket: accepts connections, identifies each peer from its
 * kernel credentials, reads one request per line, checks permission, passes the
 * request to the {@link ControlHandler} and writes its reply.
 *
 * <p>Nothing here runs on the event loop. One acceptor thread, which pauses
 * when accept fails (out of descriptors) rather than spin; one thread per
 * connection, at most {@code maxConnections} at once, a newcomer at the bound
 * taking the place of the connection idle the longest ({@link ConnectionTable});
 * a timer thread closes connections that stay silent past the idle timeout or
 * whose peer does not read its reply within the write timeout, by shutting the
 * socket down, which wakes the blocked thread.
 *
 * <p>The peer's uid, gid and groups are those the kernel recorded when it
 * connected (SO_PEERCRED, SO_PEERGROUPS), not read later from /proc, where
 * the process may have changed or gone, its pid reused.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int BACKLOG = 512;
    /** How much of an oversized request is read and dropped before closing. */
    private static final int DISCARD_LIMIT = 1024 * 1024;

    private final ControlServerSettings settings;
    private final RequestDispatcher dispatcher;
    private final PeerIdentifier privilege;
    private final Posix posix;
    private final KernelPeerGroups peerGroups;
    private final UnixServerSocketChannel server;
    private final ConnectionTable table;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private final ExecutorService connections;
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private volatile boolean closing;

    private ControlServer(ControlServerSettings settings, ControlHandler handler, PeerIdentifier privilege,
                          Posix posix, UnixServerSocketChannel server) {
        this.settings = settings;
        this.dispatcher = new RequestDispatcher(settings, handler);
        this.privilege = privilege;
        this.posix = posix;
        this.peerGroups = new KernelPeerGroups(posix, settings.controlGid());
        this.server = server;
        this.table = new ConnectionTable(settings.maxConnections(), System::nanoTime, ControlServer::shutdownInput);
        this.connections = Executors.newCachedThreadPool(daemonThreads("virtsup-control-"));
        // A cancelled idle timer must leave the queue at once: left there, it would
        // still wake the timer thread when its delay ran out, long after its
        // connection was done (seen as ~3 wake-ups a second after a burst of probes).
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemonThreads("virtsup-control-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        this.timer = timers;
        this.acceptor = new Thread(this::acceptLoop, "virtsup-control-acceptor");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds the socket (see {@link ControlSocketFile#prepare}) and starts serving.
     *
     * @throws ControlSocketInUseException when another virtsup serves that socket
     */
    public static ControlServer start(ControlServerSettings settings, ControlHandler handler, Posix posix)
            throws IOException {
        return start(settings, handler, new PeerPrivilege(settings.controlGid()), posix);
    }

    static ControlServer start(ControlServerSettings settings, ControlHandler handler, PeerIdentifier privilege,
                               Posix posix) throws IOException {
        Path socket = settings.socket();
        ControlSocketFile.prepare(socket);
        UnixServerSocketChannel server = UnixServerSocketChannel.open();
        try {
            server.socket().bind(new UnixSocketAddress(socket.toFile()), BACKLOG);
        } catch (IOException e) {
            // Not ours to remove: another virtsup may have bound it a moment ago.
            server.close();
            throw new IOException("cannot serve the control socket " + socket + ": " + e.getMessage(), e);
        }
        try {
            ControlSocketFile.restrict(socket, settings.controlGid());
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw new IOException("cannot set mode 0660 and group " + settings.controlGroup() + " on the control"
                    + " socket " + socket + ": " + e.getMessage(), e);
        }
        ControlServer control = new ControlServer(settings, handler, privilege, posix, server);
        control.acceptor.start();
        LOG.info("control socket {} ready (group {}, gid {})", socket, settings.controlGroup(),
                settings.controlGid());
        return control;
    }

    public Path socket() {
        return settings.socket();
    }

    private void acceptLoop() {
        while (!closing) {
            UnixSocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    pauseAfter(e);
                }
                continue;
            }
            long failures = backoff.succeeded();
            if (failures > 0) {
                LOG.info("control socket {}: accepting again after {} failed attempts", settings.socket(), failures);
            }
            ConnectionTable.Connection connection;
            try {
                connection = closing ? null : table.admit(channel);
            } catch (InterruptedException e) {
                connection = null;
            }
            if (connection == null || closing) {
                if (connection != null) {
                    table.release(connection);
                }
                closeQuietly(channel);
                return;
            }
            ConnectionTable.Connection admitted = connection;
            connections.execute(() -> {
                try {
                    serve(admitted);
                } finally {
                    table.release(admitted);
                    closeQuietly(channel);
                }
            });
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
                    settings.socket(), e.getMessage(), AcceptBackoff.LONGEST.toMillis());
        }
        LockSupport.parkNanos(pause.toNanos());
    }

    private void serve(ConnectionTable.Connection connection) {
        UnixSocketChannel channel = connection.channel;
        Peer peer;
        try {
            Credentials credentials = channel.getOption(UnixSocketOptions.SO_PEERCRED);
            peer = privilege.identify(credentials.getUid(), credentials.getGid(), credentials.getPid(),
                    peerGroups.of(channel.getFD()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("control socket: cannot read the peer's credentials, closing: {}", e.getMessage());
            return;
        }
        LineReader reader = new LineReader(channel, ControlProtocol.MAX_LINE_BYTES);
        while (!closing) {
            String line;
            AtomicBoolean idleExpired = new AtomicBoolean();
            Runnable disarm = arm(() -> {
                idleExpired.set(true);
                shutdownInput(channel);
            }, settings.idleTimeout());
            table.idle(connection);
            try {
                line = reader.readLine();
            } catch (LineReader.LineTooLongException e) {
                disarm.run();
                if (write(channel, new Reply.Failure(ErrorCode.REQUEST_TOO_LARGE, e.getMessage()
                        + ": a request is one short JSON object per line"))) {
                    discardRestOfLine(channel, reader);
                }
                return;
            } catch (IOException e) {
                return;
            } finally {
                disarm.run();
            }
            table.busy(connection);
            if (line == null || idleExpired.get() || connection.dropped()) {
                // A half-sent line cut off by the idle timeout is not a request.
                return;
            }
            if (line.isBlank()) {
                continue;
            }
            Reply reply = dispatcher.answer(line, peer, closing, () -> posix.peerClosed(channel.getFD()));
            if (reply == null || !write(channel, reply)) {
                return;
            }
        }
    }

    /** See {@link RequestDispatcher#clientChecks()}. */
    long clientChecks() {
        return dispatcher.clientChecks();
    }

    /**
     * Reads and drops what is left of an oversized line, within the idle timeout
     * and a bound, before the connection closes. Closing a unix socket with
     * unread data resets it, and a client still writing its long line would get
     * EPIPE or ECONNRESET instead of reading the error reply already sent.
     */
    private void discardRestOfLine(UnixSocketChannel channel, LineReader reader) {
        Runnable disarm = arm(() -> shutdownInput(channel), settings.idleTimeout());
        try {
            reader.skipLine(DISCARD_LIMIT);
        } catch (IOException e) {
            // Closing anyway.
        } finally {
            disarm.run();
        }
    }

    /** Writes one reply line; false when the peer is gone or too slow to take it. */
    private boolean write(UnixSocketChannel channel, Reply reply) {
        ByteBuffer bytes = ByteBuffer.wrap((ControlProtocol.encodeReply(reply) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        AtomicBoolean expired = new AtomicBoolean();
        Runnable disarm = arm(() -> {
            expired.set(true);
            shutdown(channel);
        }, settings.writeTimeout());
        try {
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) < 0) {
                    return false;
                }
            }
            return !expired.get();
        } catch (IOException e) {
            return false;
        } finally {
            disarm.run();
        }
    }

    /**
     * Arms a timer and returns what disarms it. Once the server is closing the
     * timer thread is gone and nothing needs arming.
     */
    private Runnable arm(Runnable action, Duration delay) {
        try {
            ScheduledFuture<?> future = timer.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { };
        }
    }

    static void shutdownInput(UnixSocketChannel channel) {
        try {
            channel.shutdownInput();
        } catch (IOException | RuntimeException e) {
            // Already closed: nothing to wake.
        }
    }

    private static void shutdown(UnixSocketChannel channel) {
        shutdownInput(channel);
        try {
            channel.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            // Already closed.
        }
    }

    private static void closeQuietly(UnixSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }

    /**
     * Stops accepting, wakes and ends every connection (a request still waiting
     * for the handler gets {@code shutting-down}), removes the socket file.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        wakeAcceptor();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ConnectionTable.Connection connection : table.open()) {
            shutdownInput(connection.channel);
        }
        connections.shutdownNow();
        try {
            connections.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the control socket: {}", e.getMessage());
        }
        try {
            Files.deleteIfExists(settings.socket());
        } catch (IOException e) {
            LOG.warn("cannot remove the control socket {}: {}", settings.socket(), e.getMessage());
        }
    }

    /**
     * A blocked accept() is not woken by closing the listening descriptor on
     * Linux; a connection of our own is the reliable way.
     */
    private void wakeAcceptor() {
        table.releaseWaiters();
        LockSupport.unpark(acceptor);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(settings.socket()));
        } catch (IOException e) {
            LOG.debug("waking the control acceptor: {}", e.getMessage());
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

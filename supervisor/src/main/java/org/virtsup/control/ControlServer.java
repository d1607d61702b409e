package org.virtsup.control;

import java.io.IOException;
import java.nio.ByteBuffer;
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
    private final ExecutorService connections;
    private final ScheduledExecutorService timer;
    private final ControlAcceptor acceptor;
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
        this.acceptor = new ControlAcceptor(server, settings.socket(), table, connection -> connections.execute(() -> {
            try {
                serve(connection);
            } finally {
                table.release(connection);
                closeQuietly(connection.channel);
            }
        }));
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

    /**
     * Serves the control socket already listening on {@code fd}, as a live
     * re-exec hands it over: the connections waiting in its backlog are
     * answered, none is refused. The caller has checked that {@code fd}
     * listens at the settings' path.
     */
    public static ControlServer serveInherited(ControlServerSettings settings, ControlHandler handler, Posix posix,
                                               int fd) throws IOException {
        return serve(settings, handler, new PeerPrivilege(settings.controlGid()), posix,
                InheritedServerSocket.channel(fd));
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
        return serve(settings, handler, privilege, posix, server);
    }

    private static ControlServer serve(ControlServerSettings settings, ControlHandler handler,
                                       PeerIdentifier privilege, Posix posix, UnixServerSocketChannel server)
            throws IOException {
        Path socket = settings.socket();
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

    /** The listening socket's descriptor, for the init system's file descriptor store to keep a copy. */
    public int descriptor() {
        return server.getFD();
    }

    /**
     * Stops accepting, the socket left listening, and returns its descriptor,
     * for a live re-exec to hand over: the connections made from now on wait
     * in its backlog for the next virtsup. No connection is accepted between
     * this and the exec, so none is left half-served across it.
     */
    public int stopAcceptingForHandOver() {
        acceptor.stop(false);
        return server.getFD();
    }

    /** Accepts again after {@link #stopAcceptingForHandOver}, when the re-exec failed. */
    public void resumeAccepting() {
        if (!closing) {
            acceptor.start();
        }
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

    static void closeQuietly(UnixSocketChannel channel) {
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
        acceptor.stop(true);
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

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

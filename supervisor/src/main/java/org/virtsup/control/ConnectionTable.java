package org.virtsup.control;

import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import jnr.unixsocket.UnixSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control connections being served, at most {@code capacity} at once. A
 * newcomer at the bound takes the place of the connection that has been idle
 * (waiting for its next request) the longest, once it has been idle for
 * {@link #IDLE_BEFORE_DROP_NANOS}: idle connections cannot lock operators out, and
 * whoever connects now (root asking for status or a restart) is served. A
 * connection that has only just been accepted is idle too, until its request
 * arrives: dropping it at once would refuse a crowd of clients that connect
 * together (health probes) instead of serving them in turn, so the newcomer
 * waits for a place while every connection is busy or idle for less.
 */
final class ConnectionTable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final long BUSY = Long.MAX_VALUE;
    /** How long a connection must have waited for a request before a newcomer may take its place. */
    static final long IDLE_BEFORE_DROP_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    /** How often a waiting newcomer looks again for a connection idle long enough. */
    private static final long RECHECK_MILLIS = 50;

    /** One served connection; idle from when it waits for a request until one arrives. */
    static final class Connection {
        final UnixSocketChannel channel;
        private volatile long idleSince = BUSY;
        private volatile boolean dropped;

        private Connection(UnixSocketChannel channel) {
            this.channel = channel;
        }

        /** Whether it was closed to make room, rather than by its peer or a timeout. */
        boolean dropped() {
            return dropped;
        }
    }

    private final int capacity;
    private final Semaphore slots;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final LongSupplier nanoClock;
    private final Consumer<UnixSocketChannel> wake;
    private volatile boolean floodReported;

    /**
     * @param wake ends a connection's wait for input (shuts its input down), so
     *             that its thread closes it and frees its place
     */
    ConnectionTable(int capacity, LongSupplier nanoClock, Consumer<UnixSocketChannel> wake) {
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
        this.nanoClock = nanoClock;
        this.wake = wake;
    }

    /** Takes a place for {@code channel}, dropping the longest idle connection at the bound. */
    Connection admit(UnixSocketChannel channel) throws InterruptedException {
        if (slots.tryAcquire()) {
            floodReported = false;
        } else {
            do {
                dropLongestIdle();
            } while (!slots.tryAcquire(RECHECK_MILLIS, TimeUnit.MILLISECONDS));
        }
        Connection connection = new Connection(channel);
        open.add(connection);
        return connection;
    }

    void idle(Connection connection) {
        connection.idleSince = nanoClock.getAsLong();
    }

    void busy(Connection connection) {
        connection.idleSince = BUSY;
    }

    /** The connection is closed: its place is free. Call exactly once per admitted connection. */
    synchronized void release(Connection connection) {
        if (open.remove(connection)) {
            slots.release();
        }
    }

    /** Every connection being served. */
    Set<Connection> open() {
        return Set.copyOf(open);
    }

    /** Frees every waiter of {@link #admit}: at shutdown, or to stop the acceptor. */
    void releaseWaiters() {
        slots.release(capacity);
    }

    /** How many connections may still be admitted without dropping one. */
    int freePlaces() {
        return slots.availablePermits();
    }

    /** After {@link #releaseWaiters} with nobody admitting: the free places are again capacity less the open ones. */
    synchronized void restorePlaces() {
        slots.drainPermits();
        slots.release(Math.max(0, capacity - open.size()));
    }

    private void dropLongestIdle() {
        long idleBefore = nanoClock.getAsLong() - IDLE_BEFORE_DROP_NANOS;
        Optional<Connection> longest = open.stream()
                .filter(connection -> connection.idleSince != BUSY && !connection.dropped
                        && connection.idleSince - idleBefore <= 0)
                .min(Comparator.comparingLong(connection -> connection.idleSince));
        if (longest.isEmpty()) {
            return; // every connection is busy or only just idle: the newcomer waits
        }
        if (!floodReported) {
            floodReported = true;
            LOG.warn("control socket: {} connections open, the most served at once; each newcomer now takes the"
                    + " place of the connection idle the longest", capacity);
        }
        Connection dropped = longest.get();
        dropped.dropped = true;
        wake.accept(dropped.channel);
    }
}

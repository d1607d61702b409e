package org.virtsup.sockets;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Errno;
import org.virtsup.posix.FileStatus;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;

/**
 * The daemons' listening sockets, created by virtsup before any daemon runs
 * and held open for as long as virtsup runs, so that a client connecting
 * while a daemon restarts waits in the backlog instead of being refused.
 * Not thread-safe: the event loop owns it.
 */
public final class HeldSockets implements AutoCloseable {
    /**
     * Connections that may wait while a daemon restarts. Linux caps it at
     * net.core.somaxconn (4096 since 5.4). A daemon sets its own backlog when it
     * takes the socket (libvirtd its max-queued-clients, virtlogd 30), so this
     * one is set again whenever a daemon ends.
     */
    public static final int BACKLOG = 4096;
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final SocketOwners owners;
    private List<HeldSocket> held = List.of();
    /** The sockets wanted, held or released, in hand-over order. */
    private List<SocketSpec> plan = List.of();

    private HeldSockets(Posix posix, SocketOwners owners) {
        this.posix = posix;
        this.owners = owners;
    }

    /** Creates every socket of {@code plan}; on any failure closes those it created and throws. */
    public static HeldSockets bind(Posix posix, SocketOwners owners, List<SocketSpec> plan) throws IOException {
        HeldSockets sockets = new HeldSockets(posix, owners);
        sockets.apply(plan);
        return sockets;
    }

    /**
     * Holds {@code taken}, sockets copied back out of daemons an earlier virtsup
     * started, and creates the rest of {@code plan}, except those of the
     * {@code adopted} daemons that could not be taken back: they still listen
     * there, and those sockets are bound only before their next start. On
     * failure the taken copies are closed, their paths left to their daemons.
     */
    public static HeldSockets takeOver(Posix posix, SocketOwners owners, List<SocketSpec> plan,
                                       List<HeldSocket> taken, Set<Daemon> adopted) throws IOException {
        HeldSockets sockets = new HeldSockets(posix, owners);
        sockets.held = List.copyOf(taken);
        try {
            sockets.apply(plan.stream().filter(spec -> !adopted.contains(spec.daemon())
                    || taken.stream().anyMatch(socket -> socket.spec().equals(spec))).toList());
        } catch (IOException | RuntimeException e) {
            taken.forEach(socket -> posix.close(socket.fd()));
            throw e;
        }
        sockets.plan = List.copyOf(plan);
        return sockets;
    }

    /** Every socket held, in hand-over order. */
    public List<HeldSocket> all() {
        return held;
    }

    /** {@code daemon}'s sockets in the order it is handed them. */
    public List<HeldSocket> of(Daemon daemon) {
        return held.stream().filter(socket -> socket.spec().daemon() == daemon).toList();
    }

    /**
     * Moves to a new plan. A socket whose path or address is unchanged is kept
     * (a new group or mode is applied to its file in place); a new one is
     * created before any old one is closed, so a failure leaves everything as
     * it was. A new TCP socket on the port of one the plan drops
     * (0.0.0.0:16509 becoming 127.0.0.1:16509) is bound once the old one is
     * closed; while the daemon still runs with its copy of the old one, the
     * port stays taken, and the new socket is bound before its next start
     * (see {@link #restore}), which the move calls for anyway.
     *
     * @return the daemons whose sockets were created or closed: they must start
     *         again to be handed the new ones
     */
    public Set<Daemon> apply(List<SocketSpec> plan) throws IOException {
        HeldSocket[] next = new HeldSocket[plan.size()];
        List<HeldSocket> opened = new ArrayList<>();
        List<Integer> afterTheOldOnes = new ArrayList<>();
        Set<Daemon> moved = EnumSet.noneOf(Daemon.class);
        try {
            for (int i = 0; i < plan.size(); i++) {
                SocketSpec spec = plan.get(i);
                List<HeldSocket> taken = Arrays.asList(next);
                Optional<HeldSocket> same = held.stream()
                        .filter(socket -> sameSocket(socket.spec(), spec) && !taken.contains(socket)).findFirst();
                if (same.isPresent()) {
                    next[i] = same.get();
                    continue;
                }
                moved.add(spec.daemon());
                if (portOfADroppedSocket(spec, plan)) {
                    afterTheOldOnes.add(i);
                    continue;
                }
                next[i] = open(spec);
                opened.add(next[i]);
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(this::discard);
            throw e;
        }
        List<HeldSocket> kept = Arrays.asList(next);
        for (HeldSocket old : held) {
            if (!kept.contains(old)) {
                moved.add(old.spec().daemon());
                discard(old);
            }
        }
        for (int i : afterTheOldOnes) {
            next[i] = openOnceFree(plan.get(i));
        }
        List<HeldSocket> before = held;
        List<HeldSocket> applied = new ArrayList<>();
        for (int i = 0; i < next.length; i++) {
            if (next[i] != null) {
                applied.add(new HeldSocket(plan.get(i), next[i].fd(), next[i].inode()));
            }
        }
        // The old sockets are closed: from here on only the new list may be held, even if
        // setting a file's group or mode fails below.
        held = List.copyOf(applied);
        this.plan = List.copyOf(plan);
        for (int i = 0; i < next.length; i++) {
            SocketSpec wanted = plan.get(i);
            if (next[i] != null && before.contains(next[i]) && !next[i].spec().equals(wanted)
                    && wanted.endpoint() instanceof Endpoint.Unix unix) {
                setOwnership(unix);
            }
        }
        return moved;
    }

    /** Whether a held TCP socket that {@code plan} drops listens on {@code spec}'s port. */
    private boolean portOfADroppedSocket(SocketSpec spec, List<SocketSpec> plan) {
        return spec.endpoint() instanceof Endpoint.Tcp tcp && held.stream().anyMatch(socket ->
                socket.spec().endpoint() instanceof Endpoint.Tcp old && old.port() == tcp.port()
                        && plan.stream().noneMatch(wanted -> sameSocket(socket.spec(), wanted)));
    }

    /** {@code spec} bound now if its port is free, else null: its daemon still holds the old socket. */
    private HeldSocket openOnceFree(SocketSpec spec) {
        try {
            return open(spec);
        } catch (IOException | RuntimeException e) {
            log.info("{} is bound when {} starts again: {}", spec.endpoint().describe(), spec.daemon(),
                    e.getMessage());
            return null;
        }
    }

    /**
     * Closes {@code daemon}'s sockets and removes their files: while it is
     * down for good (failed, or stopped on request) a client is better refused
     * than left waiting in a backlog nobody will accept from.
     */
    public void release(Daemon daemon) {
        List<HeldSocket> kept = new ArrayList<>();
        for (HeldSocket socket : held) {
            if (socket.spec().daemon() == daemon) {
                discard(socket);
            } else {
                kept.add(socket);
            }
        }
        held = List.copyOf(kept);
    }

    /** Whether {@code daemon} has every socket of the plan bound (none released). */
    public boolean holdsAll(Daemon daemon) {
        return of(daemon).size() == plan.stream().filter(spec -> spec.daemon() == daemon).count();
    }

    /**
     * Binds every socket of {@code daemon}'s in the plan that is not held
     * (after {@link #release}, a move that waited for its port, or one not
     * taken back from an adopted daemon), before it starts; the other
     * daemon's stay as they are (an adopted daemon may still listen there).
     * All or none.
     */
    public void restore(Daemon daemon) throws IOException {
        List<HeldSocket> restored = new ArrayList<>();
        List<HeldSocket> opened = new ArrayList<>();
        try {
            for (SocketSpec spec : plan) {
                Optional<HeldSocket> current = held.stream().filter(socket -> socket.spec().equals(spec)).findFirst();
                if (current.isPresent()) {
                    restored.add(current.get());
                } else if (spec.daemon() == daemon) {
                    HeldSocket created = open(spec);
                    opened.add(created);
                    restored.add(created);
                }
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(this::discard);
            throw e;
        }
        held = List.copyOf(restored);
    }

    private static boolean sameSocket(SocketSpec a, SocketSpec b) {
        return a.daemon() == b.daemon() && a.name().equals(b.name()) && a.endpoint().samePlace(b.endpoint());
    }

    /**
     * Sets the backlog back to virtsup's after {@code daemon} ended: the
     * daemon set its own when it took the sockets.
     */
    public void daemonEnded(Daemon daemon) {
        for (HeldSocket socket : of(daemon)) {
            try {
                posix.listen(socket.fd(), BACKLOG);
            } catch (PosixException e) {
                log.warn("cannot restore the backlog of {}: {}", socket.spec().endpoint().describe(), e.getMessage());
            }
        }
    }

    /**
     * New sockets for {@code daemon} in place of the held ones: a daemon that
     * refused the hand-off unlinked their paths and bound its own. Call once it
     * has ended.
     */
    public void renew(Daemon daemon) throws IOException {
        for (HeldSocket socket : of(daemon)) {
            // A closed socket leaves the list at once: if opening its successor fails, its fd number
            // may be reused by anything opened next, and must never be handed to a daemon.
            // holdsAll() then says no, and restore() binds it before the daemon's next start.
            posix.close(socket.fd());
            List<HeldSocket> renewed = new ArrayList<>(held);
            int at = renewed.indexOf(socket);
            renewed.remove(at);
            held = List.copyOf(renewed);
            renewed.add(at, open(socket.spec()));
            held = List.copyOf(renewed);
        }
    }

    private HeldSocket open(SocketSpec spec) throws IOException {
        if (spec.endpoint() instanceof Endpoint.Unix unix) {
            replaceStale(spec, unix.path());
            int fd = posix.listenUnix(unix.path(), BACKLOG);
            try {
                setOwnership(unix);
                return new HeldSocket(spec, fd, posix.socketInode(fd));
            } catch (PosixException e) {
                posix.close(fd);
                posix.unlink(unix.path());
                throw e;
            }
        }
        Endpoint.Tcp tcp = (Endpoint.Tcp) spec.endpoint();
        try {
            int fd = posix.listenTcp(tcp.host(), tcp.port(), BACKLOG);
            return new HeldSocket(spec, fd, posix.socketInode(fd));
        } catch (PosixException e) {
            if (e.errno() == Errno.EADDRINUSE) {
                throw new IOException(tcp.describe() + " is in use by another process, not one virtsup started; "
                        + spec.daemon() + "'s " + spec.name() + " listens there: stop that process or change the port",
                        e);
            }
            throw e;
        }
    }

    /** Root's, with the configured group and mode: libvirt sets none on a socket it is handed. */
    private void setOwnership(Endpoint.Unix unix) {
        posix.chown(unix.path(), 0, unix.gid());
        posix.chmod(unix.path(), unix.mode());
    }

    /** A socket file nobody answers on is what a dead daemon left: it goes. Anything else is an error. */
    private void replaceStale(SocketSpec spec, String path) throws IOException {
        FileStatus status;
        try {
            status = posix.stat(path);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT) {
                return;
            }
            throw e;
        }
        if (!status.socket()) {
            throw new IOException(path + " exists and is not a socket; virtsup creates " + spec.daemon() + "'s "
                    + spec.name() + " there: move that file away");
        }
        Optional<String> owner = owners.liveOwner(path);
        if (owner.isPresent()) {
            throw new IOException(path + " is in use by " + owner.get() + ", which virtsup did not start; stop it"
                    + " (under systemd: systemctl stop " + unitsOf(spec.daemon()) + ") and start virtsup again");
        }
        posix.unlink(path);
        log.info("replaced the stale socket file {} (nothing answered on it)", path);
    }

    private static String unitsOf(Daemon daemon) {
        return daemon == Daemon.LIBVIRTD
                ? "libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket"
                : "virtlogd.service virtlogd.socket virtlogd-admin.socket";
    }

    /** Closes a socket; a unix socket's file goes too, so that no client finds a path nobody serves. */
    private void discard(HeldSocket socket) {
        try {
            posix.close(socket.fd());
            if (socket.spec().endpoint() instanceof Endpoint.Unix unix) {
                posix.unlink(unix.path());
            }
        } catch (PosixException e) {
            log.warn("cannot close {}: {}", socket.spec().endpoint().describe(), e.getMessage());
        }
    }

    /**
     * Closes every socket but leaves their files: virtsup gives up before it
     * supervised anything, and the adopted daemons it took sockets back from
     * still serve them.
     */
    public void closeLeavingFiles() {
        held.forEach(socket -> posix.close(socket.fd()));
        held = List.of();
    }

    /** Closes every socket and removes their files: virtsup ends, and its daemons with it. */
    @Override
    public void close() {
        held.forEach(this::discard);
        held = List.of();
    }
}

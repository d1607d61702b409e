package org.virtsup.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.Handover;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.sockets.Endpoint;
import org.virtsup.sockets.HeldSocket;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.sockets.SocketSpec;
import org.virtsup.supervise.Daemon;

/**
 * What this virtsup inherited from the one it replaced by a live re-exec
 * (see {@link LiveReexec}): the {@link Handover}, its descriptors checked
 * before use. A descriptor is taken only for what it is said to be: a
 * listening socket, for a unix one at the path the configuration names;
 * any other is closed and its socket bound anew, as without a handover.
 */
final class Inheritance {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final ProcSockets proc;
    private final Optional<Handover> handover;
    /** The handed-over descriptors checked to be what they were said to be, not yet taken. */
    private final Map<Integer, String> unclaimed = new HashMap<>();
    private boolean claimedControl;

    private Inheritance(Posix posix, ProcSockets proc, Optional<Handover> handover) {
        this.posix = posix;
        this.proc = proc;
        this.handover = handover;
        handover.ifPresent(h -> {
            h.control().ifPresent(fd -> check(h, fd, "the control socket"));
            h.sockets().forEach((name, fd) -> check(h, fd, name));
            h.outputs().forEach((name, fd) -> check(h, fd, name + "'s output"));
        });
    }

    /**
     * A descriptor is taken (and, unused, closed) only when it is still the
     * file the handover names by inode; any other is left alone: it may be one
     * this process opened since, or not be virtsup's at all.
     */
    private void check(Handover handover, int fd, String what) {
        Long inode = handover.inodes().get(fd);
        if (inode != null && inode == inodeOf(fd)) {
            unclaimed.put(fd, what);
        } else {
            log.warn("descriptor {} handed over as {} is not the file it was said to be (inode {}): left alone",
                    fd, what, inode);
        }
    }

    /** The handover in {@code environment}, if any and valid (an invalid one is logged and ignored). */
    static Inheritance from(Map<String, String> environment, Posix posix, ProcSockets proc) {
        String text = environment.get(Handover.VARIABLE);
        if (text == null) {
            return new Inheritance(posix, proc, Optional.empty());
        }
        try {
            Handover handover = Handover.parse(text);
            log.info("started by a live re-exec (generation {}): descriptors handed over {}", handover.generation(),
                    handover.render());
            return new Inheritance(posix, proc, Optional.of(handover));
        } catch (Handover.Invalid e) {
            log.warn("{}; starting as without it", e.getMessage());
            return new Inheritance(posix, proc, Optional.empty());
        }
    }

    /** {@code environment} without the handover: the daemons and a later re-exec get neither it nor its fds. */
    static Map<String, String> without(Map<String, String> environment) {
        Map<String, String> rest = new HashMap<>(environment);
        rest.remove(Handover.VARIABLE);
        return rest;
    }

    boolean reexecuted() {
        return handover.isPresent();
    }

    /** How many re-executions came before this virtsup: 0 after a plain start. */
    int generation() {
        return handover.map(Handover::generation).orElse(0);
    }

    /** The reading end of {@code daemon}'s output pipe, handed over with it. */
    OptionalInt output(Daemon daemon) {
        Integer fd = handover.map(h -> h.outputs().get(daemon.programName())).orElse(null);
        if (fd == null || unclaimed.remove(fd) == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(fd);
    }

    /** {@code daemon}'s restart count when virtsup re-executed; 0 without a handover. */
    int restarts(Daemon daemon) {
        return handover.map(h -> h.restarts().getOrDefault(daemon.programName(), 0)).orElse(0);
    }

    /** How long virtsup had been up when it re-executed. */
    Duration up() {
        return handover.map(Handover::up).orElse(Duration.ZERO);
    }

    /** The inherited control socket, if it is the one handed over and listens at {@code path}. */
    OptionalInt controlSocket(Path path) {
        OptionalInt fd = handover.map(Handover::control).orElse(OptionalInt.empty());
        if (fd.isPresent() && (unclaimed.containsKey(fd.getAsInt()) || claimedControl)
                && listensAt(fd.getAsInt(), path.toString())) {
            unclaimed.remove(fd.getAsInt());
            claimedControl = true;
            return fd;
        }
        return OptionalInt.empty();
    }

    /** The inherited sockets of {@code plan}, each checked; the rest is bound anew. */
    List<HeldSocket> sockets(List<SocketSpec> plan) {
        List<HeldSocket> taken = new ArrayList<>();
        handover.ifPresent(h -> {
            for (SocketSpec spec : plan) {
                Integer fd = h.sockets().get(spec.name());
                if (fd == null || !unclaimed.containsKey(fd)) {
                    continue;
                }
                long inode = inodeOf(fd);
                if (!(spec.endpoint() instanceof Endpoint.Unix unix) || listensAt(fd, unix.path())) {
                    unclaimed.remove(fd);
                    taken.add(new HeldSocket(spec, fd, inode));
                    log.info("holding {}'s {} handed over across the re-exec: fd {}, inode {}", spec.daemon(),
                            spec.name(), fd, inode);
                }
            }
        });
        return taken;
    }

    /** Closes every checked descriptor nothing took (logged): it would otherwise stay open for good. */
    void closeUnclaimed() {
        unclaimed.forEach((fd, what) -> {
            log.warn("the descriptor {} handed over as {} is no longer configured (a socket moved, a daemon not"
                    + " adopted): closed", fd, what);
            try {
                posix.close(fd);
            } catch (PosixException e) {
                log.debug("closing {}: {}", fd, e.getMessage());
            }
        });
        unclaimed.clear();
    }

    /** Whether {@code fd}, an inherited socket, listens at {@code path}; where /proc does not say, it is trusted. */
    private boolean listensAt(int fd, String path) {
        Map<Long, String> listening = proc.listeningUnix(posix.getpid());
        String at = listening.get(inodeOf(fd));
        return at == null ? listening.isEmpty() : at.equals(path);
    }

    private long inodeOf(int fd) {
        try {
            return posix.socketInode(fd);
        } catch (PosixException e) {
            return -1;
        }
    }
}

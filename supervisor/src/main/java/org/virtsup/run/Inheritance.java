package org.virtsup.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.Handover;
import org.virtsup.notify.FdStore;
import org.virtsup.notify.PassedDescriptors;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.sockets.Endpoint;
import org.virtsup.sockets.HeldSocket;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.sockets.SocketKeys;
import org.virtsup.sockets.SocketSpec;
import org.virtsup.supervise.Daemon;

/**
 * What this virtsup inherited: from the one it replaced by a live re-exec
 * (see {@link LiveReexec}), the {@link Handover}; after a crash under
 * systemd, the sockets its file descriptor store kept ({@link FdStore},
 * passed as by socket activation). Each descriptor is checked before use. A
 * socket is taken only for what it is said to be: a socket listening where
 * the configuration puts the one of that name (a unix path, a TCP address
 * and port); any other is closed and its socket bound anew, as without it.
 */
final class Inheritance {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** The control socket's name in the file descriptor store; no daemon socket is called so. */
    static final String CONTROL_KEY = "control";

    private final Posix posix;
    private final ProcSockets proc;
    private final Optional<Handover> handover;
    /** The sockets handed over or passed back by the store, by key ({@link SocketKeys}). */
    private final Map<String, Integer> sockets;
    /** What the store passed back, by key: the inode of each (-1: not a socket). */
    private final Map<String, Long> stored = new TreeMap<>();
    /** The handed-over descriptors checked to be what they were said to be, not yet taken. */
    private final Map<Integer, String> unclaimed = new HashMap<>();
    private boolean claimedControl;

    private Inheritance(Posix posix, ProcSockets proc, Optional<Handover> handover, PassedDescriptors passed) {
        this.posix = posix;
        this.proc = proc;
        this.handover = handover;
        this.sockets = handover.map(Handover::sockets).orElse(passed.named());
        passed.unnamed().forEach(this::closeQuietly);
        if (handover.isEmpty()) {
            passed.named().forEach((key, fd) -> {
                long inode = inodeOf(fd);
                stored.put(key, inode);
                if (inode > 0) {
                    unclaimed.put(fd, key + " from the file descriptor store");
                } else {
                    log.warn("descriptor {} passed back as {} is not a socket: closed", fd, key);
                    closeQuietly(fd);
                }
            });
        }
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

    /**
     * The handover in {@code environment}, if any and valid (an invalid one is
     * logged and ignored), else what the file descriptor store passed back.
     */
    static Inheritance from(Map<String, String> environment, Posix posix, ProcSockets proc) {
        String text = environment.get(Handover.VARIABLE);
        // A re-exec never passes the store's variables on: with a handover, descriptors 3... are its own.
        PassedDescriptors passed = text == null ? PassedDescriptors.from(environment, posix.getpid())
                : PassedDescriptors.from(Map.of(), posix.getpid());
        if (text == null) {
            if (!passed.named().isEmpty()) {
                log.info("the init system passed back the sockets of its file descriptor store: {}",
                        passed.named());
            }
            return new Inheritance(posix, proc, Optional.empty(), passed);
        }
        try {
            Handover handover = Handover.parse(text);
            log.info("started by a live re-exec (generation {}): descriptors handed over {}", handover.generation(),
                    handover.render());
            return new Inheritance(posix, proc, Optional.of(handover), passed);
        } catch (Handover.Invalid e) {
            log.warn("{}; starting as without it", e.getMessage());
            return new Inheritance(posix, proc, Optional.empty(), passed);
        }
    }

    /**
     * {@code environment} without the handover and the store's variables: the
     * daemons and a later re-exec get neither them nor their fds.
     */
    static Map<String, String> without(Map<String, String> environment) {
        Map<String, String> rest = PassedDescriptors.without(environment);
        rest.remove(Handover.VARIABLE);
        return rest;
    }

    /** What the file descriptor store passed back at this start, by key: the inode of each. */
    Map<String, Long> stored() {
        return Map.copyOf(stored);
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

    /** The inherited control socket, if it is the one handed over or stored and listens at {@code path}. */
    OptionalInt controlSocket(Path path) {
        OptionalInt fd = handover.map(Handover::control).orElseGet(() -> sockets.containsKey(CONTROL_KEY)
                ? OptionalInt.of(sockets.get(CONTROL_KEY)) : OptionalInt.empty());
        if (fd.isPresent() && (unclaimed.containsKey(fd.getAsInt()) || claimedControl)
                && listensAt(fd.getAsInt(), new Endpoint.Unix(path.toString(), 0, 0))) {
            unclaimed.remove(fd.getAsInt());
            claimedControl = true;
            return fd;
        }
        return OptionalInt.empty();
    }

    /**
     * The inherited sockets of {@code plan}, each checked to listen where the
     * plan puts the socket of its name; the rest is bound anew.
     */
    List<HeldSocket> sockets(List<SocketSpec> plan) {
        List<HeldSocket> taken = new ArrayList<>();
        String source = handover.isPresent() ? "handed over across the re-exec" : "kept in the file descriptor store";
        for (SocketSpec spec : plan) {
            for (Map.Entry<String, Integer> inherited : sockets.entrySet()) {
                int fd = inherited.getValue();
                if (SocketKeys.nameOf(inherited.getKey()).equals(spec.name()) && unclaimed.containsKey(fd)
                        && listensAt(fd, spec.endpoint())) {
                    unclaimed.remove(fd);
                    long inode = inodeOf(fd);
                    taken.add(new HeldSocket(spec, fd, inode));
                    log.info("holding {}'s {} {}: fd {}, inode {}, {}", spec.daemon(), spec.name(), source, fd, inode,
                            spec.endpoint().describe());
                    break;
                }
            }
        }
        return taken;
    }

    /** Closes every checked descriptor nothing took (logged): it would otherwise stay open for good. */
    void closeUnclaimed() {
        unclaimed.forEach((fd, what) -> {
            log.warn("the descriptor {} inherited as {} is not configured as it is (a socket moved, a daemon not"
                    + " adopted): closed", fd, what);
            closeQuietly(fd);
        });
        unclaimed.clear();
    }

    private void closeQuietly(int fd) {
        try {
            posix.close(fd);
        } catch (PosixException e) {
            log.debug("closing {}: {}", fd, e.getMessage());
        }
    }

    /** Whether {@code fd}, an inherited socket, listens at {@code endpoint}. */
    private boolean listensAt(int fd, Endpoint endpoint) {
        long inode = inodeOf(fd);
        return inode > 0 && proc.listensAt(posix.getpid(), inode, endpoint);
    }

    private long inodeOf(int fd) {
        try {
            return posix.socketInode(fd);
        } catch (PosixException e) {
            return -1;
        }
    }
}

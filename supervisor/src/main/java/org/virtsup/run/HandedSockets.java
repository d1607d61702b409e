package org.virtsup.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.control.StatusReport;
import org.virtsup.notify.FdStore;
import org.virtsup.posix.Errno;
import org.virtsup.posix.FileStatus;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.sockets.HandOff;
import org.virtsup.sockets.HandOffCheck;
import org.virtsup.sockets.HeldSocket;
import org.virtsup.sockets.HeldSockets;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.sockets.SocketKeys;
import org.virtsup.sockets.SocketOwners;
import org.virtsup.sockets.SocketPlan;
import org.virtsup.sockets.SocketSpec;
import org.virtsup.sockets.SocketTakeBack;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Goal;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * The daemons' sockets through a supervised life: bound before the first
 * start, handed over at every spawn, checked when each process says it is
 * ready (a process that did not take them is a failed start), their backlog
 * restored after each exit, rebound when the configuration moves them.
 * Lives on the event loop.
 */
final class HandedSockets implements SupervisionExecutor.ReadinessGate, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final HeldSockets held;
    private final HandOffCheck check;
    private final Map<Daemon, HandOffCheck.Verdict> verdicts = new EnumMap<>(Daemon.class);
    /** Daemons whose last process refused its sockets: it bound its own over their paths. */
    private final Set<Daemon> refused = EnumSet.noneOf(Daemon.class);
    private FdStore store = FdStore.disabled();
    private Map<String, FdStore.Entry> others = Map.of();

    private HandedSockets(Posix posix, HeldSockets held, HandOffCheck check) {
        this.posix = posix;
        this.held = held;
        this.check = check;
    }

    /** Binds every socket the configuration's daemons listen on; the socket directories must exist. */
    static HandedSockets bind(Posix posix, Configuration configuration, SocketOwners owners, HandOffCheck check)
            throws IOException {
        return bind(posix, configuration, owners, check, List.of(), new SocketTakeBack(posix, ProcSockets.ofThisHost()),
                plan -> List.of());
    }

    /**
     * As {@link #bind}, but the sockets {@code inherited} across a live
     * re-exec are held as they are, and the other sockets of the
     * {@code adopted} daemons are taken back out of them rather than bound
     * (see {@link HeldSockets#takeOver}).
     */
    static HandedSockets bind(Posix posix, Configuration configuration, SocketOwners owners, HandOffCheck check,
                              List<AdoptedDaemon> adopted, SocketTakeBack takeBack,
                              Function<List<SocketSpec>, List<HeldSocket>> inherited) throws IOException {
        List<SocketSpec> plan = SocketPlan.of(configuration, posix);
        List<HeldSocket> taken = new ArrayList<>(inherited.apply(plan));
        List<SocketSpec> rest = plan.stream().filter(spec -> taken.stream()
                .noneMatch(socket -> socket.spec().equals(spec))).toList();
        Set<Daemon> adoptedDaemons = EnumSet.noneOf(Daemon.class);
        for (AdoptedDaemon daemon : adopted) {
            adoptedDaemons.add(daemon.daemon());
            taken.addAll(takeBack.from(daemon.daemon(), daemon.pid(), daemon.pidfd(),
                    daemon.recorded().socketInodes(), rest));
        }
        HeldSockets held = HeldSockets.takeOver(posix, owners, plan, taken, adoptedDaemons);
        held.all().forEach(socket -> log.info("holding {}'s {} at {} (inode {})", socket.spec().daemon(),
                socket.spec().name(), socket.spec().endpoint().describe(), socket.inode()));
        return new HandedSockets(posix, held, check);
    }

    /**
     * {@code bare} started with the daemon's sockets handed over: fresh ones
     * first if its last process refused them (it bound its own over their
     * paths), bound again if they were released. Here, right before the
     * spawn, and not after the step that saw the exit: a restart spawns the
     * next process in that very step.
     */
    DaemonProgram program(Daemon daemon, DaemonProgram bare) {
        if (refused.remove(daemon)) {
            renew(daemon);
        }
        if (!held.holdsAll(daemon)) {
            try {
                held.restore(daemon);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        syncStore();
        requireExecutable(bare.path());
        return bare.handed(new HandOff(held.of(daemon)));
    }

    /**
     * The shell of the exec-in-place step always starts; a daemon it cannot
     * execute would only show as its exit 127. Checked first, it fails the
     * spawn as a direct spawn would: {@code spawn /usr/sbin/libvirtd: ENOENT}.
     */
    private void requireExecutable(String path) {
        FileStatus status;
        try {
            status = posix.stat(path);
        } catch (PosixException e) {
            throw new PosixException("spawn", path, e.errno());
        }
        if (!status.regularFile() || (status.permissions() & 0111) == 0) {
            throw new PosixException("spawn", path, Errno.EACCES);
        }
    }

    @Override
    public Optional<String> refusal(Daemon daemon, int pid) {
        List<HeldSocket> handed = held.of(daemon);
        if (handed.isEmpty()) {
            return Optional.empty();
        }
        HandOffCheck.Verdict verdict = check.check(daemon, pid, handed);
        verdicts.put(daemon, verdict);
        if (verdict.taken()) {
            return Optional.empty();
        }
        refused.add(daemon);
        return Optional.of(String.join("; ", verdict.problems()));
    }

    /** {@code next}, then this after each step. */
    SupervisionExecutor.Observer following(SupervisionExecutor.Observer next) {
        return Observers.andAfterEachStep(next, this::stepped);
    }

    /** Every held socket's descriptor by key ({@link SocketKeys}), as a live re-exec hands them over. */
    Map<String, Integer> descriptors() {
        Map<String, Integer> descriptors = new TreeMap<>();
        SocketKeys.of(held.all()).forEach((key, socket) -> descriptors.put(key, socket.fd()));
        return descriptors;
    }

    /** The inodes of {@code daemon}'s held sockets by key, as the state record keeps them. */
    Map<String, Long> inodes(Daemon daemon) {
        Map<String, Long> inodes = new TreeMap<>();
        SocketKeys.of(held.of(daemon)).forEach((key, socket) -> inodes.put(key, socket.inode()));
        return inodes;
    }

    /**
     * Keeps a copy of every held socket in {@code store} from now on, in step
     * with what is held, and of {@code others} (the control socket) as they are.
     */
    void keepIn(FdStore store, Map<String, FdStore.Entry> others) {
        this.store = store;
        this.others = Map.copyOf(others);
        syncStore();
    }

    private void syncStore() {
        Map<String, FdStore.Entry> entries = new TreeMap<>(others);
        SocketKeys.of(held.all()).forEach((key, socket) -> entries.put(key,
                new FdStore.Entry(socket.fd(), socket.inode())));
        store.sync(entries);
    }

    /** After each step: a daemon's process that ended gets its sockets ready for the next one. */
    void stepped(Supervision before, Supervision after) {
        if (after.stage() == Supervision.Stage.NEW) {
            return; // before boot nothing is down for good: adopted daemons are taken over one step each
        }
        for (Daemon daemon : Daemon.values()) {
            int was = before.daemon(daemon).pid();
            if (was != DaemonState.NO_PID && after.daemon(daemon).pid() != was) {
                verdicts.remove(daemon);
                held.daemonEnded(daemon);
            }
            DaemonState now = after.daemon(daemon);
            boolean downForGood = now.phase() == Phase.FAILED
                    || (now.phase() == Phase.STOPPED && now.goal() == Goal.DOWN);
            if (downForGood && !held.of(daemon).isEmpty()) {
                held.release(daemon);
                log.info("{} is down: its sockets are closed until it starts again, so that clients are refused"
                        + " rather than left waiting", daemon);
                syncStore();
            }
        }
    }

    private void renew(Daemon daemon) {
        try {
            held.renew(daemon);
            log.info("{}'s sockets are bound again for its next start", daemon);
        } catch (IOException | RuntimeException e) {
            log.error("cannot bind {}'s sockets again: {}", daemon, e.getMessage());
        }
    }

    /**
     * Moves to a reloaded configuration's sockets.
     *
     * @return the daemons whose sockets moved: they restart to be handed the new ones
     */
    Set<Daemon> reload(Configuration next) throws IOException {
        Set<Daemon> moved = held.apply(SocketPlan.of(next, posix));
        syncStore();
        moved.forEach(daemon -> log.info("{}'s sockets changed: {}", daemon, held.of(daemon).stream()
                .map(socket -> socket.spec().endpoint().describe()).toList()));
        return moved;
    }

    /** {@code report} with each daemon's handed sockets and whether its current process listens on them. */
    StatusReport withSockets(StatusReport report) {
        List<StatusReport.Daemon> daemons = new ArrayList<>();
        for (StatusReport.Daemon entry : report.daemons()) {
            List<StatusReport.Socket> handed = new ArrayList<>();
            Daemon.named(entry.name()).ifPresent(daemon -> status(daemon).forEach(state -> handed.add(
                    new StatusReport.Socket(state.socket().spec().name(),
                            state.socket().spec().endpoint().describe(), state.socket().inode(), state.listening()))));
            daemons.add(entry.withSockets(handed));
        }
        return new StatusReport(report.virtsup(), daemons);
    }

    /** Each handed socket and whether the current process was seen listening on it (not yet checked: no). */
    List<HandOffCheck.SocketState> status(Daemon daemon) {
        HandOffCheck.Verdict verdict = verdicts.get(daemon);
        if (verdict != null) {
            return verdict.sockets();
        }
        return held.of(daemon).stream().map(socket -> new HandOffCheck.SocketState(socket, false)).toList();
    }

    /** See {@link HeldSockets#closeLeavingFiles}; the store keeps its copies: the daemons still serve them. */
    void closeLeavingFiles() {
        store = FdStore.disabled();
        held.closeLeavingFiles();
    }

    /** Closes every socket for good, the store's copies included. */
    @Override
    public void close() {
        store.clear();
        held.close();
    }
}

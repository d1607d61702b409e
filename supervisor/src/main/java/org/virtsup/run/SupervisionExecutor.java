package org.virtsup.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Errno;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Action;
import org.virtsup.supervise.Completion;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Step;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.Termination;

/**
 * The executor around the pure supervision core: it owns the current
 * {@link Supervision} on the event loop's thread, feeds it every event and
 * carries out the actions it returns through the POSIX seam.
 *
 * <p>Everything here runs on the event loop; other threads reach it only through
 * {@link #post}. It knows nothing of configuration files or the control socket:
 * {@link VirtsupRun} wires those to it.
 */
public final class SupervisionExecutor {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    /** An operator's command being followed until it is done or failed. */
    private record Waiter(Completion completion, Consumer<Completion.Verdict> onVerdict) {}

    /** What the executor needs to know about the outside: how to spawn each daemon, where readiness comes from. */
    public interface Programs {
        DaemonProgram program(Daemon daemon);
    }

    /** Told of every step's outcome: sd_notify status, socket checks once libvirtd is ready. */
    public interface Observer {
        void readyReported(Supervision supervision);

        void stopping(Supervision supervision);

        void stepped(Supervision before, Supervision after);
    }

    private final Posix posix;
    private final EventLoop loop;
    private final Clock clock;
    private final Observer observer;
    private final Reaper reaper;
    private final DaemonTimers timers;
    private final List<Waiter> waiters = new ArrayList<>();
    /** Events the current step's actions produced, fed after it in order. */
    private final java.util.ArrayDeque<Event> produced = new java.util.ArrayDeque<>();
    private boolean stepping;
    private final DaemonOutput output;
    private final DaemonSpawner spawner;
    private final Consumer<Integer> onExit;
    private final LostConsoleLogs lostConsoleLogs;
    private Supervision supervision;
    private ReadinessGate readinessGate = (daemon, pid) -> Optional.empty();

    public SupervisionExecutor(Posix posix, EventLoop loop, Clock clock, Supervision initial, Programs programs,
                      Observer observer, Consumer<Integer> onExit) {
        this(posix, loop, clock, initial, programs, observer, onExit, GuestProcesses.ofThisHost());
    }

    public SupervisionExecutor(Posix posix, EventLoop loop, Clock clock, Supervision initial, Programs programs,
                      Observer observer, Consumer<Integer> onExit, GuestProcesses guests) {
        this.lostConsoleLogs = new LostConsoleLogs(guests);
        this.posix = posix;
        this.loop = loop;
        this.clock = clock;
        this.supervision = initial;
        this.timers = new DaemonTimers(loop, this::step);
        this.observer = observer;
        this.onExit = onExit;
        this.output = new DaemonOutput(posix, loop, this::handleExit);
        this.reaper = new Reaper(posix, exit -> loop.post(() -> reaped(exit)));
        this.spawner = new DaemonSpawner(posix, programs, output, reaper::childSpawned);
    }

    /** SIGCHLD: wakes the reaper if it sleeps for want of children. Safe from any thread. */
    public void childChanged() {
        reaper.childChanged();
    }

    /** Starts the reaper thread; call once before the first event. */
    public void startReaper() {
        reaper.start();
    }

    /** Ends the reaper thread at shutdown, once the daemons are gone; false if it still waits after 1 s. */
    public boolean stopReaper() {
        return reaper.stop(Duration.ofSeconds(1));
    }

    public void post(Runnable task) {
        loop.post(task);
    }

    /** Spawns a child that is not a daemon; its exit goes to {@code onExit}, on the loop, not to supervision. */
    public int spawnAwaited(SpawnSpec spec, Consumer<ChildExit> onExit) {
        return reaper.spawnAwaited(spec, exit -> loop.post(() -> onExit.accept(exit)));
    }

    public Supervision state() {
        return supervision;
    }

    public OutputTail tail(Daemon daemon) {
        return output.tail(daemon);
    }

    /** The reading end of {@code daemon}'s current process's output, for a live re-exec to hand over. */
    java.util.OptionalInt outputOf(Daemon daemon) {
        int pid = supervision.daemon(daemon).pid();
        return pid == DaemonState.NO_PID ? java.util.OptionalInt.empty() : output.readingEnd(pid);
    }

    /** Carries on reading {@code pid}'s output from {@code readFd}, as handed over across a live re-exec. */
    void followOutput(Daemon daemon, int pid, int readFd) {
        output.follow(daemon, pid, readFd);
    }

    /**
     * Feeds one event and carries out what follows. Returns the reason when it
     * was refused (an operator's command during shutdown, for instance).
     */
    public Optional<String> feed(Event event) {
        return step(event).rejection();
    }

    /**
     * Feeds an operator's command and calls {@code onVerdict} once it is done or
     * failed (at once, or after a later step): start and restart when the new
     * process is ready, stop when it exited, virtlogd's reload when it is ready
     * again with the same pid.
     *
     * @return what forgets the command when nobody waits for its verdict any
     *         more (the client went away); run it on the event loop
     */
    public Runnable command(Event command, Consumer<Completion.Verdict> onVerdict) {
        Supervision before = supervision;
        Step step = step(command);
        Waiter waiter = new Waiter(Completion.of(command, before, step), onVerdict);
        Completion.Verdict verdict = waiter.completion().judge(supervision);
        if (verdict instanceof Completion.Verdict.Pending) {
            waiters.add(waiter);
        } else {
            onVerdict.accept(verdict);
        }
        return () -> waiters.remove(waiter);
    }

    /** How many commands wait for their verdict. */
    int waiting() {
        return waiters.size();
    }

    /**
     * Feeds one event as one transition, then the events its actions produced
     * (a spawn's pid or failure), each as a transition of its own, in order.
     * Actions never feed events themselves and observers never see two
     * transitions overlap; an event fed from inside a step is a bug.
     */
    private Step step(Event event) {
        if (stepping) {
            throw new IllegalStateException(event + " fed during a step: post it to the event loop instead");
        }
        stepping = true;
        try {
            Step first = transition(event);
            for (Event next = produced.poll(); next != null; next = produced.poll()) {
                try {
                    transition(next);
                } catch (RuntimeException e) {
                    // A bug in the core for this event; the next produced event is still owed to its daemon.
                    log.error("internal error on {}; supervision goes on with the state before it", next, e);
                }
            }
            return first;
        } finally {
            produced.clear();
            stepping = false;
        }
    }

    /** One event in, one new state, its actions carried out in order; each action's failure is its own. */
    private Step transition(Event event) {
        Supervision before = supervision;
        Step step = supervision.on(event, clock.instant());
        supervision = step.supervision();
        for (Action action : step.actions()) {
            try {
                execute(action);
            } catch (RuntimeException e) {
                log.error("cannot carry out {} after {}; supervision goes on", action, event, e);
                if (action instanceof Action.Spawn spawn && produced.stream().noneMatch(p -> answers(p, spawn))) {
                    // Spawned or SpawnFailed is owed whatever failed: a daemon left STARTING without a pid
                    // would have no timer and never be tried again.
                    produced.add(new Event.SpawnFailed(spawn.daemon(), DaemonSpawner.reason(e)));
                }
            }
        }
        guarded("the observer", event, () -> observer.stepped(before, supervision));
        guarded("answering a command", event, this::settleWaiters);
        return step;
    }

    private static boolean answers(Event produced, Action.Spawn spawn) {
        return produced instanceof Event.Spawned s ? s.daemon() == spawn.daemon()
                : produced instanceof Event.SpawnFailed f && f.daemon() == spawn.daemon();
    }

    private static void guarded(String what, Event event, Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            log.error("internal error in {} after {}; supervision goes on", what, event, e);
        }
    }

    /** Tells every caller whose command is no longer pending; a caller may feed further events. */
    private void settleWaiters() {
        List<Runnable> verdicts = new ArrayList<>();
        waiters.removeIf(waiter -> {
            Completion.Verdict verdict = waiter.completion().judge(supervision);
            if (verdict instanceof Completion.Verdict.Pending) {
                return false;
            }
            verdicts.add(() -> waiter.onVerdict().accept(verdict));
            return true;
        });
        verdicts.forEach(Runnable::run);
    }

    private void execute(Action action) {
        if (action instanceof Action.Spawn spawn) {
            produced.add(spawner.spawn(spawn.daemon()));
        } else if (action instanceof Action.SendSignal send) {
            signal(send);
        } else if (action instanceof Action.ArmTimer arm) {
            timers.arm(arm);
        } else if (action instanceof Action.CancelTimer cancel) {
            DaemonState state = supervision.daemon(cancel.daemon());
            if (state.timer().isEmpty() || state.timer().get().generation() == cancel.generation()) {
                timers.cancel(cancel.daemon());
            }
        } else if (action instanceof Action.Log entry) {
            log(entry);
        } else if (action instanceof Action.Rejected) {
            // The step's rejection() carries it to whoever fed the event.
        } else if (action instanceof Action.ReportReady) {
            observer.readyReported(supervision);
        } else if (action instanceof Action.ReportStopping) {
            observer.stopping(supervision);
        } else if (action instanceof Action.Exit exit) {
            timers.cancelAll();
            onExit.accept(exit.code());
        } else {
            throw new IllegalStateException("no executor for " + action);
        }
    }

    private void signal(Action.SendSignal send) {
        try {
            posix.kill(send.pid(), send.signal().number());
        } catch (PosixException e) {
            if (e.errno() != Errno.ESRCH) {
                log.error("cannot send {} to {} (pid {}): {}", send.signal().fullName(), send.daemon(), send.pid(),
                        e.getMessage());
            }
            // ESRCH: it is already gone; its exit is on its way through the reaper.
        }
    }

    /** The timer the executor holds for {@code daemon}, as armed: what tests compare with the state. */
    Optional<Action.ArmTimer> armedTimer(Daemon daemon) {
        return timers.armed(daemon);
    }

    /** The reaper's news, on the loop: an exit is handled once its daemon's last output is read. */
    void reaped(ChildExit exit) {
        output.reaped(exit);
    }

    /** Whether an exit waits for the end of its daemon's output. */
    boolean exitAwaitsOutput() {
        return output.exitAwaitsOutput();
    }

    private void handleExit(ChildExit exit) {
        ended(exit.pid(), exit.status() instanceof ExitStatus.Killed killed
                ? new Termination.Killed(killed.signal(), killed.coreDumped())
                : new Termination.Exited(((ExitStatus.Exited) exit.status()).code()));
    }

    /** An adopted daemon that is not virtsup's child ended (its pidfd said so): how, nobody can know. */
    public void adoptedEnded(int pid) {
        ended(pid, new Termination.Unknown());
    }

    private void ended(int pid, Termination termination) {
        Optional<Daemon> daemon = supervision.daemonWithPid(pid);
        daemon.ifPresent(d -> {
            List<String> last = output.tail(d).lastWords();
            if (!stoppedOnRequest(d) && !last.isEmpty()) {
                log.warn("{} (pid {}) {}; its last output:\n  {}", d, pid, termination.describe(),
                        String.join("\n  ", last));
            }
        });
        daemon.filter(d -> d == Daemon.VIRTLOGD).ifPresent(d ->
                lostConsoleLogs.virtlogdEnded(pid, termination, stoppedOnRequest(d), clock.instant()));
        step(new Event.Exited(pid, termination));
    }

    /** Whether the daemon is ending because it was asked to (stop, restart, shutdown). */
    private boolean stoppedOnRequest(Daemon daemon) {
        DaemonState state = supervision.daemon(daemon);
        return state.phase() == Phase.STOPPING && state.stopCause() == DaemonState.StopCause.REQUESTED;
    }

    /** Guests still running whose console output went nowhere since virtlogd died. */
    public List<LostConsoleLogs.Lost> lostConsoleLogs() {
        return lostConsoleLogs.current();
    }

    /** A daemon's READY=1 without a known sender (or its socket answering): its current process's. */
    public void ready(Daemon daemon) {
        int pid = supervision.daemon(daemon).pid();
        if (pid != DaemonState.NO_PID) {
            readyIfAccepted(daemon, pid);
        }
    }

    /** Asked before a daemon's process counts as ready: a refusal says why it is not. */
    public interface ReadinessGate {
        Optional<String> refusal(Daemon daemon, int pid);
    }

    /** From now on, readiness passes {@code gate} first. */
    public void gateReadiness(ReadinessGate gate) {
        this.readinessGate = gate;
    }

    /**
     * A ready process the gate refuses is a failed start: it is stopped (TERM),
     * and its exit, while still STARTING, counts as a failure.
     */
    private void readyIfAccepted(Daemon daemon, int pid) {
        Optional<String> refusal = readinessGate.refusal(daemon, pid);
        if (refusal.isEmpty()) {
            step(new Event.Ready(daemon, pid));
            return;
        }
        if (supervision.daemon(daemon).phase() != Phase.STARTING) { // virtlogd re-executed: never stopped
            log.error("{} (pid {}) is running but {}", daemon, pid, refusal.get()); // (guests' console logs)
            step(new Event.Ready(daemon, pid));
            return;
        }
        log.error("{} (pid {}) failed to start: {}; it is stopped and started again", daemon, pid, refusal.get());
        signal(new Action.SendSignal(daemon, pid, org.virtsup.supervise.Signal.TERM));
    }

    /**
     * A daemon's READY=1 sent by process {@code senderPid}, as the kernel named
     * it. A process that died since is not the current one: a READY=1 it sent
     * just before dying (libvirtd does so when its QEMU driver cannot start) must
     * not make its replacement count as ready.
     */
    public void ready(Daemon daemon, int senderPid) {
        if (senderPid == supervision.daemon(daemon).pid()) {
            readyIfAccepted(daemon, senderPid);
        } else {
            step(new Event.Ready(daemon, senderPid));
        }
    }

    private static void log(Action.Log entry) {
        switch (entry.level()) {
            case DEBUG -> log.debug(entry.message());
            case INFO -> log.info(entry.message());
            case WARNING -> log.warn(entry.message());
            case ERROR -> log.error(entry.message());
        }
    }
}

package org.virtsup.run;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Errno;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Action;
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
 * {@link Runtime} wires those to it.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** Lines of a dying daemon's own output shown with its exit. */
    static final int LAST_LINES_ON_EXIT = 10;

    /** What a caller waits for after feeding an operator's event: checked after every step. */
    public record Waiter(Predicate<Supervision> done, Consumer<Supervision> onDone) {}

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
    private final Programs programs;
    private final Observer observer;
    private final Reaper reaper;
    private final Map<Daemon, OutputTail> tails = new EnumMap<>(Daemon.class);
    private final Map<Daemon, EventLoop.Timer> timers = new EnumMap<>(Daemon.class);
    private final List<Waiter> waiters = new ArrayList<>();
    private final Consumer<Integer> onExit;
    private Supervision supervision;
    private String rejection;

    public Supervisor(Posix posix, EventLoop loop, Clock clock, Supervision initial, Programs programs,
                      Observer observer, Consumer<Integer> onExit) {
        this.posix = posix;
        this.loop = loop;
        this.clock = clock;
        this.supervision = initial;
        this.programs = programs;
        this.observer = observer;
        this.onExit = onExit;
        this.reaper = new Reaper(posix, exit -> loop.post(() -> reaped(exit)));
        for (Daemon daemon : Daemon.values()) {
            tails.put(daemon, new OutputTail(200));
        }
    }

    /** SIGCHLD: wakes the reaper if it sleeps for want of children (see {@link Reaper#childSignalled()}). */
    public void childSignalled() {
        reaper.childSignalled();
    }

    /** Starts the reaper thread; call once before the first event. */
    public void startReaper() {
        reaper.start();
    }

    public void post(Runnable task) {
        loop.post(task);
    }

    public Supervision state() {
        return supervision;
    }

    public OutputTail tail(Daemon daemon) {
        return tails.get(daemon);
    }

    /**
     * Feeds one event and carries out what follows. Returns the reason when an
     * operator's command was refused.
     */
    public Optional<String> feed(Event event) {
        String outer = rejection;
        rejection = null;
        try {
            step(event);
            return Optional.ofNullable(rejection);
        } finally {
            rejection = outer;
        }
    }

    /** Waits, on the loop, until {@code waiter} is satisfied (checked now and after every later step). */
    public void await(Waiter waiter) {
        if (waiter.done().test(supervision)) {
            waiter.onDone().accept(supervision);
        } else {
            waiters.add(waiter);
        }
    }

    private void step(Event event) {
        Supervision before = supervision;
        Step step = supervision.on(event, clock.instant());
        supervision = step.supervision();
        for (Action action : step.actions()) {
            execute(action);
        }
        observer.stepped(before, supervision);
        settleWaiters();
    }

    private void settleWaiters() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.done().test(supervision)) {
                it.remove();
                waiter.onDone().accept(supervision);
            }
        }
    }

    private void execute(Action action) {
        if (action instanceof Action.Spawn spawn) {
            spawn(spawn.daemon());
        } else if (action instanceof Action.SendSignal send) {
            signal(send);
        } else if (action instanceof Action.ArmTimer arm) {
            cancelTimer(arm.daemon());
            timers.put(arm.daemon(), loop.schedule(arm.delay(),
                    () -> step(new Event.TimerFired(arm.daemon(), arm.kind(), arm.generation()))));
        } else if (action instanceof Action.CancelTimer cancel) {
            DaemonState state = supervision.daemon(cancel.daemon());
            if (state.timer().isEmpty() || state.timer().get().generation() == cancel.generation()) {
                cancelTimer(cancel.daemon());
            }
        } else if (action instanceof Action.Log entry) {
            log(entry);
        } else if (action instanceof Action.Rejected rejected) {
            rejection = rejected.reason();
        } else if (action instanceof Action.ReportReady) {
            observer.readyReported(supervision);
        } else if (action instanceof Action.ReportStopping) {
            observer.stopping(supervision);
        } else if (action instanceof Action.Exit exit) {
            timers.values().forEach(EventLoop.Timer::cancel);
            onExit.accept(exit.code());
        } else {
            throw new IllegalStateException("no executor for " + action);
        }
    }

    private void cancelTimer(Daemon daemon) {
        EventLoop.Timer old = timers.remove(daemon);
        if (old != null) {
            old.cancel();
        }
    }

    private void spawn(Daemon daemon) {
        DaemonProgram program = programs.program(daemon);
        Pipe output;
        try {
            output = posix.pipe();
        } catch (PosixException e) {
            step(new Event.SpawnFailed(daemon, e.getMessage()));
            return;
        }
        int pid;
        try {
            // stdout and stderr share one pipe so that their lines keep their order.
            pid = posix.spawn(new SpawnSpec(program.path(), program.argv(), program.environment(),
                    -1, output.writeFd(), output.writeFd()));
        } catch (PosixException e) {
            posix.close(output.readFd());
            posix.close(output.writeFd());
            step(new Event.SpawnFailed(daemon, e.getMessage()));
            return;
        }
        posix.close(output.writeFd());
        reaper.childSpawned();
        int readFd = output.readFd();
        Thread pump = new Thread(new OutputPump(buffer -> posix.read(readFd, buffer),
                LoggerFactory.getLogger("daemon." + daemon.programName()), tails.get(daemon),
                () -> posix.close(readFd)), "virtsup-output-" + daemon.programName() + "-" + pid);
        pump.setDaemon(true);
        pump.start();
        step(new Event.Spawned(daemon, pid));
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

    private void reaped(ChildExit exit) {
        Optional<Daemon> daemon = supervision.daemonWithPid(exit.pid());
        Termination termination = exit.status() instanceof ExitStatus.Killed killed
                ? new Termination.Killed(killed.signal(), killed.coreDumped())
                : new Termination.Exited(((ExitStatus.Exited) exit.status()).code());
        daemon.ifPresent(d -> {
            DaemonState state = supervision.daemon(d);
            boolean expected = state.phase() == Phase.STOPPING
                    && state.stopCause() == DaemonState.StopCause.REQUESTED;
            if (!expected) {
                List<String> last = tails.get(d).last(LAST_LINES_ON_EXIT);
                if (!last.isEmpty()) {
                    log.warn("{} (pid {}) {}; its last output:\n  {}", d, exit.pid(), termination.describe(),
                            String.join("\n  ", last));
                }
            }
        });
        step(new Event.Exited(exit.pid(), termination));
    }

    /** A daemon's READY=1 (or its socket answering): attributed to its current process. */
    public void ready(Daemon daemon) {
        int pid = supervision.daemon(daemon).pid();
        if (pid != DaemonState.NO_PID) {
            step(new Event.Ready(daemon, pid));
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

    public Instant now() {
        return clock.instant();
    }
}

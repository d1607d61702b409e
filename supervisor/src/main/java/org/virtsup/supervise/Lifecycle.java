package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.virtsup.supervise.Action.Log.Level;
import org.virtsup.supervise.DaemonState.ArmedTimer;
import org.virtsup.supervise.DaemonState.LastExit;
import org.virtsup.supervise.DaemonState.StopCause;

/**
 * One daemon's transition table: {@code (state, input, now) → (state, actions)},
 * one method per phase, one branch per input, in the manner of s6 and runit.
 * It knows nothing of the other daemon: {@link Supervision} tells it whether it
 * may start now ({@code mayStart}) and decides the order of stops.
 */
final class Lifecycle {

    /** What can happen to one daemon; {@link Supervision} turns {@link Event}s into these. */
    sealed interface Input {}

    /** Want it up (boot, operator start): a FAILED or STOPPED daemon gets a fresh count of failures. */
    record Start() implements Input {}

    /** The daemon it waits for became ready: start it if it wants to be up and is STOPPED. */
    record StartNow() implements Input {}

    /** Want it down: SIGTERM, SIGKILL after stop-timeout. */
    record Stop() implements Input {}

    /** Want it down, but leave a live process alone until {@link Stop} (shutdown order). */
    record Hold() implements Input {}

    /** Stop, then start again; not a failure. */
    record Restart() implements Input {}

    /** In place: SIGUSR1 to virtlogd (re-execution, same pid), SIGHUP to libvirtd. */
    record Reload() implements Input {}

    /** One signal to its pid, nothing else. */
    record Forward(Signal signal) implements Input {}

    /** virtsup re-read its configuration; {@code fileChanged}: this daemon's file differs. */
    record Reconfigure(boolean fileChanged) implements Input {}

    record Spawned(int pid) implements Input {}

    record SpawnFailed(String reason) implements Input {}

    record Ready(int pid) implements Input {}

    record Exited(int pid, Termination termination) implements Input {}

    record TimerFired(TimerKind kind, long generation) implements Input {}

    /** A new state and what to do. */
    record Transition(DaemonState state, List<Action> actions) {
        Transition {
            Objects.requireNonNull(state, "state");
            actions = List.copyOf(actions);
        }
    }

    private final DaemonState before;
    private final DaemonState.Draft next;
    private final Policy policy;
    private final boolean mayStart;
    private final Instant now;
    private final List<Action> actions = new ArrayList<>();

    private Lifecycle(DaemonState state, Policy policy, boolean mayStart, Instant now) {
        this.before = state;
        this.next = state.draft();
        this.policy = policy;
        this.mayStart = mayStart;
        this.now = now;
    }

    /**
     * The transition of {@code state} on {@code input} at {@code now}.
     *
     * @param mayStart whether a spawn may happen now (false for libvirtd while virtlogd is wanted but not ready)
     */
    static Transition next(DaemonState state, Input input, Policy policy, boolean mayStart, Instant now) {
        Lifecycle table = new Lifecycle(state, policy, mayStart, now);
        table.apply(input);
        return new Transition(table.next.build(), table.actions);
    }

    private void apply(Input input) {
        if (input instanceof TimerFired fired) {
            if (!before.isCurrent(fired.kind(), fired.generation())) {
                return; // stale: armed before a state change that made it pointless
            }
            next.timer = Optional.empty();
        }
        if (input instanceof Ready ready && (!before.hasPid() || ready.pid() != before.pid())) {
            return; // an earlier process's word, or a spurious one
        }
        if (input instanceof Exited exited && (!before.hasPid() || exited.pid() != before.pid())) {
            return; // Supervision routes exits by pid; another pid is not this daemon's
        }
        switch (before.phase()) {
            case STOPPED -> stopped(input);
            case STARTING -> starting(input);
            case RUNNING -> running(input);
            case STOPPING -> stopping(input);
            case BACKOFF -> backoff(input);
            case FAILED -> failed(input);
            default -> throw new AssertionError(before.phase());
        }
    }

    // ---- the table, one phase at a time ----

    private void stopped(Input input) {
        if (input instanceof Start || input instanceof Restart) {
            next.goal = Goal.UP;
            next.consecutiveFailures = 0;
            next.problem = Optional.empty();
            startOrWait();
        } else if (input instanceof StartNow || input instanceof Reconfigure) {
            if (before.goal() == Goal.UP && mayStart) {
                spawn();
            }
        } else if (input instanceof Stop || input instanceof Hold) {
            next.goal = Goal.DOWN;
        } else if (input instanceof Reload || input instanceof Forward) {
            reject(name() + " is not running");
        }
    }

    private void starting(Input input) {
        if (input instanceof Spawned spawned) {
            if (before.hasPid()) {
                return;
            }
            next.pid = spawned.pid();
            next.startedAt = Optional.of(now);
            if (before.goal() == Goal.DOWN) {
                terminate(StopCause.REQUESTED, "stopping " + process() + " right after its start: SIGTERM"
                        + killNotice());
            } else {
                armTimer(TimerKind.START_TIMEOUT, policy.startTimeout());
                log(Level.INFO, name() + " started (pid " + spawned.pid() + "); waiting up to "
                        + Phrases.duration(policy.startTimeout()) + " for it to be ready");
            }
        } else if (input instanceof SpawnFailed failed) {
            if (before.hasPid()) {
                return;
            }
            next.problem = Optional.of(failed.reason());
            if (before.goal() == Goal.DOWN) {
                next.phase = Phase.STOPPED;
                log(Level.WARNING, "cannot start " + name() + ": " + failed.reason());
            } else {
                failure("cannot start " + name() + ": " + failed.reason(), false);
            }
        } else if (input instanceof Ready) {
            next.phase = Phase.RUNNING;
            next.readyAt = Optional.of(now);
            next.problem = Optional.empty();
            cancelTimer();
            Duration took = Duration.between(before.startedAt().orElse(now), now);
            log(Level.INFO, process() + " is ready after " + Phrases.duration(took));
            if (before.reloadPending()) {
                next.reloadPending = false;
                applyChangedFile();
            }
        } else if (input instanceof Exited exited) {
            recordExit(exited);
            String what = process() + " " + exited.termination().describe()
                    + " before it was ready";
            if (before.goal() == Goal.DOWN) {
                next.phase = Phase.STOPPED;
                log(Level.INFO, what);
            } else {
                failure(what, false);
            }
        } else if (input instanceof TimerFired) { // START_TIMEOUT: the only timer of STARTING
            terminate(StopCause.START_TIMEOUT, process() + " is not ready after "
                    + Phrases.duration(policy.startTimeout()) + ": a failed start; stopping it with SIGTERM"
                    + killNotice());
        } else if (input instanceof Start) {
            next.goal = Goal.UP;
        } else if (input instanceof Stop) {
            next.goal = Goal.DOWN;
            if (before.hasPid()) {
                terminate(StopCause.REQUESTED, stopping());
            }
        } else if (input instanceof Hold) {
            next.goal = Goal.DOWN;
        } else if (input instanceof Restart) {
            next.goal = Goal.UP;
            if (before.hasPid()) {
                terminate(StopCause.REQUESTED, restarting());
            }
        } else if (input instanceof Reload) {
            reject(process() + " is still starting; reload it once it is running");
        } else if (input instanceof Forward forward) {
            forward(forward.signal());
        } else if (input instanceof Reconfigure reconfigure && reconfigure.fileChanged()) {
            if (before.daemon() == Daemon.LIBVIRTD && before.hasPid()) {
                next.goal = Goal.UP;
                terminate(StopCause.REQUESTED, "libvirtd.conf changed while " + process()
                        + " was starting; restarting it: SIGTERM" + killNotice());
            } else {
                next.reloadPending = true;
            }
        }
    }

    private void running(Input input) {
        if (input instanceof Exited exited) {
            boolean stable = before.stableAt(now, policy.restartResetAfter());
            recordExit(exited);
            String what = process() + " " + exited.termination().describe()
                    + (before.reexecPending() ? " while re-executing itself" : "");
            if (before.goal() == Goal.DOWN) {
                next.phase = Phase.STOPPED;
                log(Level.INFO, what);
            } else {
                failure(what, stable);
            }
        } else if (input instanceof Ready) {
            // virtlogd announces itself again after re-executing; anything else changes nothing.
            if (before.reexecPending()) {
                next.reexecPending = false;
                log(Level.INFO, process() + " re-executed itself and is ready again");
            }
        } else if (input instanceof Start) {
            next.goal = Goal.UP;
        } else if (input instanceof Stop) {
            next.goal = Goal.DOWN;
            terminate(StopCause.REQUESTED, stopping());
        } else if (input instanceof Hold) {
            next.goal = Goal.DOWN;
        } else if (input instanceof Restart) {
            next.goal = Goal.UP;
            terminate(StopCause.REQUESTED, restarting());
        } else if (input instanceof Reload) {
            reloadInPlace("on request");
        } else if (input instanceof Forward forward) {
            forward(forward.signal());
        } else if (input instanceof Reconfigure reconfigure) {
            if (reconfigure.fileChanged()) {
                applyChangedFile();
            } else if (before.daemon() == Daemon.LIBVIRTD) {
                reloadInPlace("after virtsup reloaded its configuration");
            }
            // virtlogd has no SIGHUP handler: an unchanged virtlogd.conf needs nothing.
        }
    }

    private void stopping(Input input) {
        if (input instanceof Exited exited) {
            cancelTimer();
            recordExit(exited);
            String what = process() + " " + exited.termination().describe();
            if (before.goal() == Goal.DOWN) {
                next.phase = Phase.STOPPED;
                log(Level.INFO, process() + " stopped: " + exited.termination().describe());
            } else if (before.stopCause() == StopCause.START_TIMEOUT) {
                failure(what + " after its failed start", false);
            } else {
                log(Level.INFO, what + "; starting it again");
                startOrWait();
            }
        } else if (input instanceof TimerFired) { // STOP_TIMEOUT: the only timer of STOPPING
            actions.add(new Action.SendSignal(before.daemon(), before.pid(), Signal.KILL));
            log(Level.WARNING, process() + " is still running " + Phrases.duration(policy.stopTimeout())
                    + " after SIGTERM; sending SIGKILL" + (before.daemon() == Daemon.VIRTLOGD
                            ? " (running guests lose their console logs until they restart)" : ""));
        } else if (input instanceof Stop || input instanceof Hold) {
            next.goal = Goal.DOWN;
        } else if (input instanceof Start || input instanceof Restart) {
            // The operator asks for it: what follows the exit is a plain start, not a failure.
            next.goal = Goal.UP;
            next.stopCause = StopCause.REQUESTED;
        } else if (input instanceof Reload) {
            reject(process() + " is stopping; nothing to reload");
        } else if (input instanceof Forward forward) {
            forward(forward.signal());
        }
    }

    private void backoff(Input input) {
        if (input instanceof TimerFired) { // BACKOFF: the only timer of BACKOFF
            startOrWait();
        } else if (input instanceof Start || input instanceof Restart) {
            cancelTimer();
            startOrWait();
        } else if (input instanceof Reconfigure) {
            cancelTimer();
            log(Level.INFO, "configuration reloaded: trying " + name() + " again now");
            startOrWait();
        } else if (input instanceof Stop || input instanceof Hold) {
            cancelTimer();
            next.goal = Goal.DOWN;
            next.phase = Phase.STOPPED;
            log(Level.INFO, name() + " stopped: its pending restart is cancelled");
        } else if (input instanceof Reload || input instanceof Forward) {
            reject(name() + " is not running: it failed and waits to be restarted");
        }
    }

    private void failed(Input input) {
        if (input instanceof Start || input instanceof Restart || input instanceof Reconfigure) {
            next.goal = Goal.UP;
            next.consecutiveFailures = 0;
            next.problem = Optional.empty();
            log(Level.INFO, "trying " + name() + " again after it failed "
                    + Phrases.starts(before.consecutiveFailures()) + " in a row"
                    + (input instanceof Reconfigure ? ", since the configuration was reloaded" : ""));
            startOrWait();
        } else if (input instanceof Stop) {
            next.goal = Goal.DOWN;
            next.phase = Phase.STOPPED;
        } else if (input instanceof Hold) {
            next.goal = Goal.DOWN; // at shutdown it stays FAILED, so that the last status tells why
        } else if (input instanceof Reload || input instanceof Forward) {
            reject(name() + " is not running: it failed; `virtsup start " + name() + "` tries again");
        }
    }

    // ---- the moves the table is made of ----

    /** A failed start (death, failed spawn, start timeout): restart now, later, or give up. */
    private void failure(String what, boolean stable) {
        int failures = (stable ? 0 : before.consecutiveFailures()) + 1;
        next.consecutiveFailures = failures;
        next.pid = DaemonState.NO_PID;
        if (policy.givesUpAfter(failures)) {
            next.phase = Phase.FAILED;
            next.problem = Optional.of(what);
            log(Level.ERROR, what + "; " + name() + " failed " + Phrases.starts(failures) + " in a row (respawn-limit "
                    + policy.respawnLimit() + "): giving up; `virtsup start " + name() + "` tries again");
            return;
        }
        next.restarts = before.restarts() + 1;
        String restart = " (restart " + next.restarts + ")";
        Duration delay = policy.restartDelay(failures);
        if (!delay.isZero()) {
            next.phase = Phase.BACKOFF;
            armTimer(TimerKind.BACKOFF, delay);
            log(Level.WARNING, what + "; " + name() + " failed " + Phrases.starts(failures)
                    + " in a row; next attempt in " + Phrases.duration(delay) + restart);
        } else if (mayStart) {
            // Logged before the spawn: the executor logs the new pid while carrying the spawn out.
            log(Level.WARNING, what + "; restarting now" + restart);
            spawn();
        } else {
            next.phase = Phase.STOPPED;
            log(Level.WARNING, what + "; restarting once virtlogd is running" + restart);
        }
    }

    private void startOrWait() {
        if (mayStart) {
            spawn();
        } else {
            next.phase = Phase.STOPPED;
            next.pid = DaemonState.NO_PID;
            log(Level.INFO, name() + " starts once virtlogd is running");
        }
    }

    private void spawn() {
        next.phase = Phase.STARTING;
        next.pid = DaemonState.NO_PID;
        next.startedAt = Optional.empty();
        next.readyAt = Optional.empty();
        next.stopCause = StopCause.REQUESTED;
        next.reloadPending = false; // a new process reads the current file
        next.reexecPending = false;
        actions.add(new Action.Spawn(before.daemon()));
    }

    /** SIGTERM to its pid, the stop timeout armed. */
    private void terminate(StopCause cause, String message) {
        cancelTimer();
        next.phase = Phase.STOPPING;
        next.stopCause = cause;
        log(cause == StopCause.START_TIMEOUT ? Level.WARNING : Level.INFO, message);
        actions.add(new Action.SendSignal(before.daemon(), next.pid, Signal.TERM));
        armTimer(TimerKind.STOP_TIMEOUT, policy.stopTimeout());
    }

    /** Its file changed: virtlogd re-executes in place, libvirtd restarts. */
    private void applyChangedFile() {
        if (before.daemon() == Daemon.VIRTLOGD) {
            reloadInPlace("since virtlogd.conf changed");
        } else {
            next.goal = Goal.UP;
            terminate(StopCause.REQUESTED, "libvirtd.conf changed; restarting " + process()
                    + ": SIGTERM" + killNotice() + "; running guests are not signalled");
        }
    }

    private void reloadInPlace(String why) {
        if (before.daemon() == Daemon.VIRTLOGD) {
            next.reexecs = before.reexecs() + 1;
            next.reexecPending = true;
            actions.add(new Action.SendSignal(Daemon.VIRTLOGD, next.pid, Signal.USR1));
            log(Level.INFO, process() + " re-executes itself in place " + why
                    + " (SIGUSR1); its pid and open logs are kept");
        } else {
            actions.add(new Action.SendSignal(Daemon.LIBVIRTD, next.pid, Signal.HUP));
            log(Level.INFO, process() + " reloads its drivers' state " + why
                    + " (SIGHUP); changes to libvirtd.conf need a restart");
        }
    }

    private void forward(Signal signal) {
        if (!before.hasPid()) {
            reject(name() + " has no process yet; try again once it is started");
            return;
        }
        actions.add(new Action.SendSignal(before.daemon(), before.pid(), signal));
        log(Level.INFO, "sent " + signal.fullName() + " to " + process() + " on request");
    }

    private void recordExit(Exited exited) {
        next.lastExit = Optional.of(new LastExit(exited.pid(), exited.termination(), now));
        next.pid = DaemonState.NO_PID;
        next.startedAt = Optional.empty();
        next.readyAt = Optional.empty();
        next.reexecPending = false;
        cancelTimer();
    }

    private void armTimer(TimerKind kind, Duration delay) {
        cancelTimer();
        long generation = next.timerGeneration + 1;
        next.timerGeneration = generation;
        next.timer = Optional.of(new ArmedTimer(kind, generation, now.plus(delay)));
        actions.add(new Action.ArmTimer(before.daemon(), kind, delay, generation));
    }

    private void cancelTimer() {
        next.timer.ifPresent(timer -> actions.add(new Action.CancelTimer(before.daemon(), timer.generation())));
        next.timer = Optional.empty();
    }

    private void log(Level level, String message) {
        actions.add(new Action.Log(level, message));
    }

    private void reject(String reason) {
        actions.add(new Action.Rejected(reason));
    }

    private String stopping() {
        return "stopping " + process() + ": SIGTERM" + killNotice()
                + (before.daemon() == Daemon.LIBVIRTD ? "; running guests are not signalled" : "");
    }

    private String restarting() {
        return "restarting " + process() + " on request: SIGTERM" + killNotice()
                + (before.daemon() == Daemon.LIBVIRTD ? "; running guests are not signalled" : "");
    }

    private String killNotice() {
        return ", SIGKILL if it is still running after " + Phrases.duration(policy.stopTimeout());
    }

    private String process() {
        return Phrases.process(before.daemon(), before.pid() == DaemonState.NO_PID ? next.pid : before.pid());
    }

    private String name() {
        return before.daemon().programName();
    }
}

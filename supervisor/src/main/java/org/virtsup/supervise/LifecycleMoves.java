package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.virtsup.supervise.Action.Log.Level;
import org.virtsup.supervise.DaemonState.ArmedTimer;
import org.virtsup.supervise.DaemonState.LastExit;
import org.virtsup.supervise.DaemonState.StopCause;

/**
 * The moves {@link Lifecycle}'s table is made of: a failure counted and its
 * restart decided, a spawn, a stop, a reload in place, a timer armed, with
 * the log lines users read. Each move changes the draft of the next state
 * and appends its actions, in the order the executor carries them out.
 */
abstract sealed class LifecycleMoves permits Lifecycle {
    final DaemonState before;
    final DaemonState.Draft next;
    final Policy policy;
    final boolean mayStart;
    final Instant now;
    final List<Action> actions = new ArrayList<>();

    LifecycleMoves(DaemonState state, Policy policy, boolean mayStart, Instant now) {
        this.before = state;
        this.next = state.draft();
        this.policy = policy;
        this.mayStart = mayStart;
        this.now = now;
    }


    /** A failed start (death, failed spawn, start timeout): restart now, later, or give up. */
    void failure(String what, boolean stable) {
        int failures = (stable ? 0 : before.consecutiveFailures()) + 1;
        next.consecutiveFailures = failures;
        next.failedStarts = before.failedStarts() + 1;
        next.pid = DaemonState.NO_PID;
        next.problem = Optional.of(what);
        if (policy.givesUpAfter(failures)) {
            next.phase = Phase.FAILED;
            log(Level.ERROR, what + "; " + name() + " failed " + Phrases.starts(failures) + " in a row (respawn-limit "
                    + policy.respawnLimit() + "): giving up; `virtsup start " + name() + "` tries again");
            return;
        }
        next.restarts = before.restarts() + 1;
        String restart = " (restart " + next.restarts + ")";
        Duration delay = policy.restartDelay(failures);
        // The journal tells the death before the new process's start: log first, spawn last.
        if (!delay.isZero()) {
            next.phase = Phase.BACKOFF;
            log(Level.WARNING, what + "; failed " + Phrases.starts(failures)
                    + " in a row; next attempt in " + Phrases.duration(delay) + restart);
            armTimer(TimerKind.BACKOFF, delay);
        } else if (mayStart) {
            log(Level.WARNING, what + "; restarting now" + restart);
            spawn();
        } else {
            next.phase = Phase.STOPPED;
            log(Level.WARNING, what + "; restarting once virtlogd is running" + restart);
        }
    }

    void startOrWait() {
        if (mayStart) {
            spawn();
        } else {
            next.phase = Phase.STOPPED;
            next.pid = DaemonState.NO_PID;
            log(Level.INFO, name() + " starts once virtlogd is running");
        }
    }

    void spawn() {
        next.phase = Phase.STARTING;
        next.pid = DaemonState.NO_PID;
        next.startedAt = Optional.empty();
        next.readyAt = Optional.empty();
        next.stopCause = StopCause.REQUESTED;
        next.reloadPending = false; // a new process reads the current file
        next.reexecPending = false;
        actions.add(new Action.Spawn(before.daemon()));
    }

    /** An earlier virtsup's process, taken over as it runs: ready at once, its exit status never known. */
    void adopt(Lifecycle.Adopt adopt) {
        next.goal = Goal.UP;
        next.phase = Phase.RUNNING;
        next.pid = adopt.pid();
        next.restarts = adopt.restarts();
        next.startedAt = Optional.of(now);
        next.readyAt = Optional.of(now);
        next.problem = Optional.empty();
        log(Level.INFO, Phrases.process(before.daemon(), adopt.pid()) + (adopt.child()
                ? " adopted across virtsup's re-exec: still its child, supervised as before"
                : " adopted: an earlier virtsup started it and it still runs as recorded; it is not virtsup's child,"
                        + " so how it ends will not be known"));
    }

    /** SIGTERM to its pid, the stop timeout armed. */
    void terminate(StopCause cause, String message) {
        cancelTimer();
        next.phase = Phase.STOPPING;
        next.stopCause = cause;
        log(cause == StopCause.START_TIMEOUT ? Level.WARNING : Level.INFO, message);
        actions.add(new Action.SendSignal(before.daemon(), next.pid, Signal.TERM));
        armTimer(TimerKind.STOP_TIMEOUT, policy.stopTimeout());
    }

    /** Its file changed: virtlogd re-executes in place, libvirtd restarts. */
    void applyChangedFile() {
        if (before.daemon() == Daemon.VIRTLOGD) {
            reloadInPlace("virtlogd.conf changed: ");
        } else {
            next.goal = Goal.UP;
            terminate(StopCause.REQUESTED, "libvirtd.conf changed; restarting " + process()
                    + ": SIGTERM" + killNotice() + "; running guests are not signalled");
        }
    }

    /** SIGUSR1 to virtlogd (re-execution in place), SIGHUP to libvirtd; the log line says why. */
    void reloadInPlace(String why) {
        if (before.daemon() == Daemon.VIRTLOGD) {
            next.reexecs = before.reexecs() + 1;
            next.reexecPending = true;
            log(Level.INFO, why + process() + " re-executes itself in place (SIGUSR1), keeping its pid and"
                    + " open logs");
            actions.add(new Action.SendSignal(Daemon.VIRTLOGD, next.pid, Signal.USR1));
        } else {
            log(Level.INFO, why + process() + " reloads its drivers' state (SIGHUP)");
            actions.add(new Action.SendSignal(Daemon.LIBVIRTD, next.pid, Signal.HUP));
        }
    }

    void forward(Signal signal) {
        if (!before.hasPid()) {
            reject(name() + " has no process yet; try again once it is started");
            return;
        }
        actions.add(new Action.SendSignal(before.daemon(), before.pid(), signal));
        if (signal == Signal.KILL && before.daemon() == Daemon.VIRTLOGD) {
            log(Level.WARNING, "sent SIGKILL to " + process() + " on request: running guests lose their console"
                    + " logs until they restart");
        } else {
            log(Level.INFO, "sent " + signal.fullName() + " to " + process() + " on request");
        }
    }

    void recordExit(Lifecycle.Exited exited) {
        next.lastExit = Optional.of(new LastExit(exited.pid(), exited.termination(), now));
        next.pid = DaemonState.NO_PID;
        next.startedAt = Optional.empty();
        next.readyAt = Optional.empty();
        next.reexecPending = false;
        cancelTimer();
    }

    void armTimer(TimerKind kind, Duration delay) {
        cancelTimer();
        long generation = next.timerGeneration + 1;
        next.timerGeneration = generation;
        next.timer = Optional.of(new ArmedTimer(kind, generation, now.plus(delay)));
        actions.add(new Action.ArmTimer(before.daemon(), kind, delay, generation));
    }

    void cancelTimer() {
        next.timer.ifPresent(timer -> actions.add(new Action.CancelTimer(before.daemon(), timer.generation())));
        next.timer = Optional.empty();
    }

    void log(Level level, String message) {
        actions.add(new Action.Log(level, message));
    }

    void reject(String reason) {
        actions.add(new Action.Rejected(reason));
    }

    String stopping() {
        return "stopping " + process() + ": SIGTERM" + killNotice()
                + (before.daemon() == Daemon.LIBVIRTD ? "; running guests are not signalled" : "");
    }

    String restarting() {
        return "restarting " + process() + " on request: SIGTERM" + killNotice()
                + (before.daemon() == Daemon.LIBVIRTD ? "; running guests are not signalled" : "");
    }

    String killNotice() {
        return ", SIGKILL if it is still running after " + Phrases.duration(policy.stopTimeout());
    }

    String process() {
        return Phrases.process(before.daemon(), before.pid() == DaemonState.NO_PID ? next.pid : before.pid());
    }

    String name() {
        return before.daemon().programName();
    }
}

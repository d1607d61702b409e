package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.virtsup.supervise.Action.Log.Level;
import org.virtsup.supervise.DaemonState.StopCause;

/**
 * One daemon's transition table: {@code (state, input, now) → (state, actions)},
 * one method per phase, one branch per input, in the manner of s6 and runit.
 * It knows nothing of the other daemon: {@link Supervision} tells it whether it
 * may start now ({@code mayStart}) and decides the order of stops.
 *
 * <pre>
 * phase     input                        → phase (goal)        actions
 * any       Start, Restart               → failure count reset, then as below
 * STOPPED   Start, Restart               → STARTING (UP)       Spawn                         ¹
 *           Adopt(pid)                   → RUNNING (UP)        (an earlier virtsup's process, not a child)
 *           StartNow, Reconfigure        → STARTING if goal UP Spawn                         ¹
 *           Stop, Hold                   → STOPPED (DOWN)
 *           Reload, Forward              →                     Rejected
 * STARTING  Spawned(pid)                 → STARTING            ArmTimer START_TIMEOUT (goal DOWN: TERM → STOPPING)
 *           SpawnFailed                  → failure ²           (goal DOWN: → STOPPED)
 *           Ready(pid)                   → RUNNING             CancelTimer (reload pending: as Reconfigure(changed))
 *           Exited(pid)                  → failure ²           (goal DOWN: → STOPPED)
 *           START_TIMEOUT fired          → STOPPING            TERM, ArmTimer STOP_TIMEOUT; its exit is a failure
 *           Stop                         → STOPPING (DOWN)     TERM, ArmTimer STOP_TIMEOUT (no pid yet: at Spawned)
 *           Start                        → STARTING (UP)
 *           Hold                         → STARTING (DOWN)
 *           Restart                      → STOPPING (UP)       TERM, ArmTimer STOP_TIMEOUT
 *           Reload                       →                     Rejected
 *           Forward(sig)                 →                     SendSignal sig
 *           Reconfigure(changed)         → virtlogd: reload once ready; libvirtd: STOPPING (UP), TERM
 * RUNNING   Exited(pid)                  → failure ², counted from 0 after restart-reset-after (goal DOWN: → STOPPED)
 *           Ready(pid)                   → RUNNING             (confirms a re-execution)
 *           Start                        → RUNNING (UP)
 *           Stop                         → STOPPING (DOWN)     TERM, ArmTimer STOP_TIMEOUT
 *           Hold                         → RUNNING (DOWN)
 *           Restart                      → STOPPING (UP)       TERM, ArmTimer STOP_TIMEOUT
 *           Reload                       → RUNNING             virtlogd: USR1 (re-execution); libvirtd: HUP
 *           Forward(sig)                 → RUNNING             SendSignal sig
 *           Reconfigure(changed)         → virtlogd: USR1; libvirtd: STOPPING (UP), TERM
 *           Reconfigure(unchanged)       → virtlogd: nothing (it has no SIGHUP handler); libvirtd: HUP
 * STOPPING  Exited(pid)                  → goal DOWN: STOPPED; after a start timeout: failure ²;
 *                                          otherwise STARTING, Spawn ¹ (a restart, not a failure)
 *           STOP_TIMEOUT fired           → STOPPING            KILL, ArmTimer KILL_TIMEOUT
 *           KILL_TIMEOUT fired           → STOPPING            (an error in the journal; nothing else can be done)
 *           Stop, Hold                   → STOPPING (DOWN)
 *           Start, Restart               → STOPPING (UP)       (a plain start follows the exit)
 *           Reload                       →                     Rejected
 *           Forward(sig)                 →                     SendSignal sig
 * BACKOFF   BACKOFF fired                → STARTING            Spawn ¹
 *           Start, Restart, Reconfigure  → STARTING            CancelTimer, Spawn ¹
 *           Stop, Hold                   → STOPPED (DOWN)      CancelTimer
 *           Reload, Forward              →                     Rejected
 * FAILED    Start, Restart, Reconfigure  → STARTING (UP)       Spawn ¹; failure count reset (Reconfigure too)
 *           Stop                         → STOPPED (DOWN)
 *           Hold                         → FAILED (DOWN)       (the last status keeps why)
 *           Reload, Forward              →                     Rejected
 *
 * ¹ when it may not start yet (libvirtd, virtlogd wanted but not ready): STOPPED (UP) instead.
 * ² failure: n = failed starts in a row; n ≥ respawn-limit &gt; 0 → FAILED; restart delay of n
 *   zero → STARTING, Spawn ¹; otherwise BACKOFF, ArmTimer BACKOFF.
 * Every other pair changes nothing. A timer firing that is not the armed one, and Ready or
 * Exited of another pid, are ignored in every phase.
 * </pre>
 */
final class Lifecycle extends LifecycleMoves {

    /** What can happen to one daemon; {@link Supervision} turns {@link Event}s into these. */
    sealed interface Input {}

    /** Want it up (boot, operator start), with a fresh count of failures. */
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

    /**
     * Take over {@code pid}, a running process of the daemon that an earlier
     * virtsup started; {@code child}: still this process's child (a live
     * re-exec), {@code restarts}: the count it had.
     */
    record Adopt(int pid, int restarts, boolean child) implements Input {
        public Adopt(int pid) {
            this(pid, 0, false);
        }
    }

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

    private Lifecycle(DaemonState state, Policy policy, boolean mayStart, Instant now) {
        super(state, policy, mayStart, now);
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
        if ((input instanceof Spawned || input instanceof SpawnFailed)
                && (before.phase() != Phase.STARTING || before.hasPid())) {
            // The executor answered a spawn nobody asked for: a bug worth seeing, never a second process to track.
            log(Level.WARNING, "ignored an unexpected spawn result for " + name() + " in " + before.phase() + ": "
                    + input);
            return;
        }
        if (input instanceof Start || input instanceof Restart) {
            // The operator's start or restart gives a fresh count, whatever the phase.
            next.consecutiveFailures = 0;
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
            next.problem = Optional.empty();
            startOrWait();
        } else if (input instanceof StartNow || input instanceof Reconfigure) {
            if (before.goal() == Goal.UP && mayStart) {
                spawn();
            }
        } else if (input instanceof Stop || input instanceof Hold) {
            next.goal = Goal.DOWN;
        } else if (input instanceof Adopt adopt) {
            adopt(adopt);
        } else if (input instanceof Reload || input instanceof Forward) {
            reject(name() + " is not running");
        }
    }

    private void starting(Input input) {
        if (input instanceof Spawned spawned) {
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
            if (before.goal() == Goal.DOWN) {
                next.problem = Optional.of("cannot start " + name() + ": " + failed.reason());
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
            reloadInPlace("on request: ");
        } else if (input instanceof Forward forward) {
            forward(forward.signal());
        } else if (input instanceof Reconfigure reconfigure) {
            if (reconfigure.fileChanged()) {
                applyChangedFile();
            } else if (before.daemon() == Daemon.LIBVIRTD) {
                reloadInPlace("libvirtd.conf is unchanged: ");
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
                log(Level.INFO, process() + " stopped: " + exited.termination().describe() + "; starting it again");
                startOrWait();
            }
        } else if (input instanceof TimerFired fired && fired.kind() == TimerKind.STOP_TIMEOUT) {
            log(Level.WARNING, process() + " is still running " + Phrases.duration(policy.stopTimeout())
                    + " after SIGTERM; sending SIGKILL" + (before.daemon() == Daemon.VIRTLOGD
                            ? " (running guests lose their console logs until they restart)" : ""));
            actions.add(new Action.SendSignal(before.daemon(), before.pid(), Signal.KILL));
            armTimer(TimerKind.KILL_TIMEOUT, policy.stopTimeout());
        } else if (input instanceof TimerFired) { // KILL_TIMEOUT
            log(Level.ERROR, process() + " has not exited " + Phrases.duration(policy.stopTimeout())
                    + " after SIGKILL: it is stuck in the kernel (uninterruptible sleep, see its state in"
                    + " /proc/" + before.pid() + "/status); still waiting for it");
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
}

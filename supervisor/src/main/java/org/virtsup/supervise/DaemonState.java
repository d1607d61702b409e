package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything supervision knows about one daemon; immutable. It is also what the
 * status command shows.
 *
 * @param daemon              which one
 * @param supervised          the configuration declares it; an undeclared daemon stays STOPPED
 * @param goal                what the operator wants
 * @param phase               what is
 * @param pid                 its current process, {@link #NO_PID} when there is none or the spawn is not done yet
 * @param startedAt           when the current process was spawned
 * @param readyAt             when the current process became ready
 * @param restarts            restarts after a failure (deaths, failed spawns, start timeouts) since virtsup started;
 *                            neither operator restarts nor virtlogd's re-executions count
 * @param consecutiveFailures failed starts in a row (see {@link #failuresAsOf} for the figure to show)
 * @param failedStarts        failed starts since virtsup started, never reset
 * @param lastExit            how its last process ended
 * @param timer               the one armed timer, if any
 * @param timerGeneration     the generation given to the last timer armed; a firing with another one is stale
 * @param stopCause           why it is STOPPING (meaningless in other phases)
 * @param reloadPending       its configuration file changed while it was starting: reload it once ready
 * @param reexecPending       virtlogd was sent SIGUSR1 and has not said READY=1 again since (an executor
 *                            answering "reload virtlogd" waits for this to turn false with the same pid)
 * @param reexecs             virtlogd re-executions in place (SIGUSR1) since virtsup started
 * @param problem             why the last start failed; cleared once a process of it is ready
 */
public record DaemonState(
        Daemon daemon,
        boolean supervised,
        Goal goal,
        Phase phase,
        int pid,
        Optional<Instant> startedAt,
        Optional<Instant> readyAt,
        int restarts,
        int consecutiveFailures,
        int failedStarts,
        Optional<LastExit> lastExit,
        Optional<ArmedTimer> timer,
        long timerGeneration,
        StopCause stopCause,
        boolean reloadPending,
        boolean reexecPending,
        int reexecs,
        Optional<String> problem) {

    /** The pid of no process. */
    public static final int NO_PID = 0;

    /** How a process of the daemon ended. */
    public record LastExit(int pid, Termination termination, Instant at) {
        public LastExit {
            Objects.requireNonNull(termination, "termination");
            Objects.requireNonNull(at, "at");
        }
    }

    /** The armed timer: a {@link Event.TimerFired} with this kind and generation is current. */
    public record ArmedTimer(TimerKind kind, long generation, Instant deadline) {
        public ArmedTimer {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(deadline, "deadline");
        }
    }

    /** Why a daemon is being stopped: what its exit will mean. */
    public enum StopCause {
        /** Stop, restart or shutdown, or a changed configuration: the goal says what follows. */
        REQUESTED,
        /** It was not ready in time: its exit is a failed start. */
        START_TIMEOUT
    }

    public DaemonState {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(goal, "goal");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(readyAt, "readyAt");
        Objects.requireNonNull(lastExit, "lastExit");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(stopCause, "stopCause");
        Objects.requireNonNull(problem, "problem");
        if (pid < 0) {
            throw new IllegalArgumentException("a pid is positive, not " + pid);
        }
    }

    /** A daemon before anything happened to it: STOPPED, goal DOWN. */
    public static DaemonState initial(Daemon daemon, boolean supervised) {
        return new DaemonState(daemon, supervised, Goal.DOWN, Phase.STOPPED, NO_PID, Optional.empty(),
                Optional.empty(), 0, 0, 0, Optional.empty(), Optional.empty(), 0, StopCause.REQUESTED, false, false,
                0, Optional.empty());
    }

    /**
     * Written out, as {@link Supervision#equals} is: a record's own equals is
     * linked at its first call through {@code java.lang.runtime.ObjectMethods},
     * which for these 18 components built method handles for about 40 ms of
     * {@code virtsup run}'s launch (measured), on the way to its first spawn.
     * Components are compared with {@link Objects#equals}, the record's
     * rule. {@code RecordEqualityTest} fails on a component left out.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof DaemonState that
                && daemon == that.daemon && supervised == that.supervised && goal == that.goal
                && phase == that.phase && pid == that.pid && Objects.equals(startedAt, that.startedAt)
                && Objects.equals(readyAt, that.readyAt) && restarts == that.restarts
                && consecutiveFailures == that.consecutiveFailures && failedStarts == that.failedStarts
                && Objects.equals(lastExit, that.lastExit) && Objects.equals(timer, that.timer)
                && timerGeneration == that.timerGeneration && stopCause == that.stopCause
                && reloadPending == that.reloadPending && reexecPending == that.reexecPending
                && reexecs == that.reexecs && Objects.equals(problem, that.problem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(daemon, supervised, goal, phase, pid, startedAt, readyAt, restarts, consecutiveFailures,
                failedStarts, lastExit, timer, timerGeneration, stopCause, reloadPending, reexecPending, reexecs,
                problem);
    }

    public boolean hasPid() {
        return pid != NO_PID;
    }

    /** Failing to start: waiting to retry, given up, or starting again after a failed start. */
    public boolean failing() {
        // After its first failed start a daemon is already STARTING again: failing all the same.
        return phase == Phase.BACKOFF || phase == Phase.FAILED || (consecutiveFailures > 0 && phase != Phase.RUNNING);
    }

    /** True when it is RUNNING, that is ready. */
    public boolean ready() {
        return phase == Phase.RUNNING;
    }

    /**
     * The failed starts in a row as status should show them at {@code now}: a
     * daemon that has been running for restart-reset-after has none, even though
     * the count is only reset at its next death.
     */
    public int failuresAsOf(Instant now, Duration restartResetAfter) {
        return stableAt(now, restartResetAfter) ? 0 : consecutiveFailures;
    }

    /** True when it has been RUNNING for at least {@code restartResetAfter} at {@code now}. */
    public boolean stableAt(Instant now, Duration restartResetAfter) {
        return phase == Phase.RUNNING
                && readyAt.isPresent()
                && !readyAt.get().plus(restartResetAfter).isAfter(now);
    }

    /** How long its current process has been up at {@code now}. */
    public Optional<Duration> uptime(Instant now) {
        return startedAt.map(started -> Duration.between(started, now));
    }

    /** How long until the pending restart, in BACKOFF (zero once due). */
    public Optional<Duration> nextAttemptIn(Instant now) {
        return nextAttemptAt().map(due -> due.isAfter(now) ? Duration.between(now, due) : Duration.ZERO);
    }

    /** When the pending restart is due, in BACKOFF. */
    public Optional<Instant> nextAttemptAt() {
        return timer.filter(t -> t.kind() == TimerKind.BACKOFF).map(ArmedTimer::deadline);
    }

    /** The timer firing {@code kind} with {@code generation} is the armed one (not stale). */
    public boolean isCurrent(TimerKind kind, long generation) {
        return timer.isPresent() && timer.get().kind() == kind && timer.get().generation() == generation;
    }

    /** The same state, declared by the configuration or not. */
    public DaemonState withSupervised(boolean declared) {
        Draft draft = draft();
        draft.supervised = declared;
        return draft.build();
    }

    Draft draft() {
        return new Draft(this);
    }

    /** A mutable copy, for the transition table to edit and {@link #build} again. */
    static final class Draft {
        final Daemon daemon;
        boolean supervised;
        Goal goal;
        Phase phase;
        int pid;
        Optional<Instant> startedAt;
        Optional<Instant> readyAt;
        int restarts;
        int consecutiveFailures;
        int failedStarts;
        Optional<LastExit> lastExit;
        Optional<ArmedTimer> timer;
        long timerGeneration;
        StopCause stopCause;
        boolean reloadPending;
        boolean reexecPending;
        int reexecs;
        Optional<String> problem;

        private Draft(DaemonState s) {
            daemon = s.daemon;
            supervised = s.supervised;
            goal = s.goal;
            phase = s.phase;
            pid = s.pid;
            startedAt = s.startedAt;
            readyAt = s.readyAt;
            restarts = s.restarts;
            consecutiveFailures = s.consecutiveFailures;
            failedStarts = s.failedStarts;
            lastExit = s.lastExit;
            timer = s.timer;
            timerGeneration = s.timerGeneration;
            stopCause = s.stopCause;
            reloadPending = s.reloadPending;
            reexecPending = s.reexecPending;
            reexecs = s.reexecs;
            problem = s.problem;
        }

        DaemonState build() {
            return new DaemonState(daemon, supervised, goal, phase, pid, startedAt, readyAt, restarts,
                    consecutiveFailures, failedStarts, lastExit, timer, timerGeneration, stopCause, reloadPending,
                    reexecPending, reexecs, problem);
        }
    }
}

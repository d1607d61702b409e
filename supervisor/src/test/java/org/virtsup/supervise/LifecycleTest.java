package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.supervise.Rows.T0;
import static org.virtsup.supervise.Rows.effects;
import static org.virtsup.supervise.Rows.logs;
import static org.virtsup.supervise.Rows.seconds;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Action.ArmTimer;
import org.virtsup.supervise.Action.CancelTimer;
import org.virtsup.supervise.Action.Rejected;
import org.virtsup.supervise.Action.SendSignal;
import org.virtsup.supervise.Action.Spawn;
import org.virtsup.supervise.DaemonState.StopCause;
import org.virtsup.supervise.Lifecycle.Transition;

/** The transition table of one daemon, row by row: phase × input → phase, goal, actions. */
class LifecycleTest {
    static final Daemon LOGD = Daemon.VIRTLOGD;
    static final Daemon VIRTD = Daemon.LIBVIRTD;
    static final Termination CODE_1 = new Termination.Exited(1);
    static final Termination CODE_0 = new Termination.Exited(0);
    static final Termination SIGKILLED = new Termination.Killed(9, false);

    final Rows logd = new Rows(LOGD, Policy.defaults());
    final Rows virtd = new Rows(VIRTD, Policy.defaults());

    static void assertPhase(Phase phase, Goal goal, Transition t) {
        assertEquals(phase, t.state().phase(), "phase");
        assertEquals(goal, t.state().goal(), "goal");
    }

    @Nested
    class Stopped {
        @Test
        void startSpawns() {
            Transition t = logd.step(logd.stopped(), new Lifecycle.Start());
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(LOGD)), effects(t));
            assertFalse(t.state().hasPid());
        }

        @Test
        void startWhileVirtlogdIsNotReadyWaits() {
            Transition t = virtd.blocked(virtd.stopped(), new Lifecycle.Start());
            assertPhase(Phase.STOPPED, Goal.UP, t);
            assertEquals(List.of(), effects(t));
            assertEquals(List.of("INFO libvirtd starts once virtlogd is running"), logs(t.actions()));
        }

        @Test
        void startNowStartsAWaitingDaemon() {
            DaemonState waiting = virtd.blocked(virtd.stopped(), new Lifecycle.Start()).state();
            Transition t = virtd.step(waiting, new Lifecycle.StartNow());
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(VIRTD)), effects(t));
        }

        @Test
        void startNowLeavesAStoppedDaemonAlone() {
            Transition t = virtd.step(virtd.stopped(), new Lifecycle.StartNow());
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(), t.actions());
        }

        @Test
        void stopOfAWaitingDaemonDropsTheWish() {
            DaemonState waiting = virtd.blocked(virtd.stopped(), new Lifecycle.Start()).state();
            Transition t = virtd.step(waiting, new Lifecycle.Stop());
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(), t.actions());
        }

        @Test
        void reloadAndForwardAreRefused() {
            assertEquals(List.of(new Rejected("virtlogd is not running")),
                    logd.step(logd.stopped(), new Lifecycle.Reload()).actions());
            assertEquals(List.of(new Rejected("virtlogd is not running")),
                    logd.step(logd.stopped(), new Lifecycle.Forward(Signal.TERM)).actions());
        }

        @Test
        void processEventsChangeNothing() {
            DaemonState stopped = logd.stopped();
            for (Lifecycle.Input input : List.of(new Lifecycle.Exited(42, CODE_1), new Lifecycle.Ready(42),
                    new Lifecycle.TimerFired(TimerKind.BACKOFF, 0))) {
                Transition t = logd.step(stopped, input);
                assertEquals(stopped, t.state(), input.toString());
                assertEquals(List.of(), t.actions(), input.toString());
            }
        }
    }

    @Nested
    class Starting {
        @Test
        void spawnedRecordsThePidAndArmsTheStartTimeout() {
            Transition t = logd.step(logd.spawning(), new Lifecycle.Spawned(42));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(42, t.state().pid());
            assertEquals(Optional.of(T0), t.state().startedAt());
            assertEquals(List.of(new ArmTimer(LOGD, TimerKind.START_TIMEOUT, seconds(30), 1)), effects(t));
            assertEquals(List.of("INFO virtlogd started (pid 42); waiting up to 30 s for it to be ready"),
                    logs(t.actions()));
        }

        @Test
        void spawnFailureIsAFailedStartRetriedAtOnceTheFirstTime() {
            Transition t = virtd.step(virtd.spawning(), new Lifecycle.SpawnFailed("spawn /usr/sbin/libvirtd: ENOENT"));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(VIRTD)), effects(t));
            assertEquals(1, t.state().consecutiveFailures());
            assertEquals(1, t.state().restarts());
            assertEquals(Optional.of("cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT"), t.state().problem());
            assertEquals(1, t.state().failedStarts());
            assertEquals(List.of("WARNING cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT; restarting now"
                    + " (restart 1)"), logs(t.actions()));
        }

        @Test
        void readyMakesItRunningAndCancelsTheStartTimeout() {
            Transition t = logd.step(logd.starting(42), new Lifecycle.Ready(42), T0.plusMillis(300));
            assertPhase(Phase.RUNNING, Goal.UP, t);
            assertEquals(Optional.of(T0.plusMillis(300)), t.state().readyAt());
            assertEquals(List.of(new CancelTimer(LOGD, 1)), effects(t));
            assertEquals(Optional.empty(), t.state().timer());
            assertEquals(List.of("INFO virtlogd (pid 42) is ready after 0.3 s"), logs(t.actions()));
        }

        @Test
        void readyFromAnotherPidIsIgnored() {
            DaemonState starting = logd.starting(42);
            Transition t = logd.step(starting, new Lifecycle.Ready(41));
            assertEquals(starting, t.state());
            assertEquals(List.of(), t.actions());
        }

        @Test
        void deathBeforeReadyIsAFailedStart() {
            Transition t = logd.step(logd.starting(42), new Lifecycle.Exited(42, CODE_1), T0.plusSeconds(1));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new CancelTimer(LOGD, 1), new Spawn(LOGD)), effects(t));
            assertEquals(Optional.of(new DaemonState.LastExit(42, CODE_1, T0.plusSeconds(1))), t.state().lastExit());
            assertEquals(1, t.state().consecutiveFailures());
            assertEquals(List.of("WARNING virtlogd (pid 42) exited with code 1 before it was ready; restarting now"
                    + " (restart 1)"), logs(t.actions()));
        }

        @Test
        void startTimeoutTerminatesItAsAFailedStart() {
            Transition t = logd.step(logd.starting(42), new Lifecycle.TimerFired(TimerKind.START_TIMEOUT, 1));
            assertPhase(Phase.STOPPING, Goal.UP, t);
            assertEquals(StopCause.START_TIMEOUT, t.state().stopCause());
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.TERM),
                    new ArmTimer(LOGD, TimerKind.STOP_TIMEOUT, seconds(20), 2)), effects(t));
            assertEquals(List.of("WARNING virtlogd (pid 42) is not ready after 30 s: a failed start; stopping it"
                    + " with SIGTERM, SIGKILL if it is still running after 20 s"), logs(t.actions()));
        }

        @Test
        void staleStartTimeoutIsIgnored() {
            DaemonState starting = logd.starting(42);
            Transition t = logd.step(starting, new Lifecycle.TimerFired(TimerKind.START_TIMEOUT, 0));
            assertEquals(starting, t.state());
            assertEquals(List.of(), t.actions());
        }

        @Test
        void stopTerminates() {
            Transition t = virtd.step(virtd.starting(42), new Lifecycle.Stop());
            assertPhase(Phase.STOPPING, Goal.DOWN, t);
            assertEquals(List.of(new CancelTimer(VIRTD, 1), new SendSignal(VIRTD, 42, Signal.TERM),
                    new ArmTimer(VIRTD, TimerKind.STOP_TIMEOUT, seconds(20), 2)), effects(t));
        }

        @Test
        void stopBeforeThePidIsKnownTerminatesOnceItIs() {
            Transition stop = logd.step(logd.spawning(), new Lifecycle.Stop());
            assertPhase(Phase.STARTING, Goal.DOWN, stop);
            assertEquals(List.of(), stop.actions());
            Transition spawned = logd.step(stop.state(), new Lifecycle.Spawned(42));
            assertPhase(Phase.STOPPING, Goal.DOWN, spawned);
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.TERM),
                    new ArmTimer(LOGD, TimerKind.STOP_TIMEOUT, seconds(20), 1)), effects(spawned));
        }

        @Test
        void spawnFailureAfterAStopIsJustStopped() {
            DaemonState held = logd.step(logd.spawning(), new Lifecycle.Stop()).state();
            Transition t = logd.step(held, new Lifecycle.SpawnFailed("spawn /usr/sbin/virtlogd: EACCES"));
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(), effects(t));
            assertEquals(0, t.state().consecutiveFailures());
        }

        @Test
        void restartTerminatesAndKeepsItWanted() {
            Transition t = logd.step(logd.starting(42), new Lifecycle.Restart());
            assertPhase(Phase.STOPPING, Goal.UP, t);
            assertEquals(StopCause.REQUESTED, t.state().stopCause());
            assertEquals(new SendSignal(LOGD, 42, Signal.TERM), effects(t).get(1));
        }

        @Test
        void reloadIsRefusedButSignalsAreForwarded() {
            DaemonState starting = logd.starting(42);
            assertEquals(List.of(new Rejected("virtlogd (pid 42) is still starting; reload it once it is running")),
                    logd.step(starting, new Lifecycle.Reload()).actions());
            assertEquals(List.of(new SendSignal(LOGD, 42, new Signal(12))),
                    effects(logd.step(starting, new Lifecycle.Forward(new Signal(12)))));
        }

        @Test
        void forwardBeforeThePidIsKnownIsRefused() {
            Transition t = logd.step(logd.spawning(), new Lifecycle.Forward(Signal.HUP));
            assertEquals(List.of(new Rejected("virtlogd has no process yet; try again once it is started")),
                    t.actions());
        }

        @Test
        void changedVirtlogdConfReExecutesItOnceReady() {
            Transition changed = logd.step(logd.starting(42), new Lifecycle.Reconfigure(true));
            assertPhase(Phase.STARTING, Goal.UP, changed);
            assertEquals(List.of(), effects(changed));
            assertTrue(changed.state().reloadPending());
            Transition ready = logd.step(changed.state(), new Lifecycle.Ready(42));
            assertPhase(Phase.RUNNING, Goal.UP, ready);
            assertEquals(List.of(new CancelTimer(LOGD, 1), new SendSignal(LOGD, 42, Signal.USR1)), effects(ready));
            assertFalse(ready.state().reloadPending());
            assertEquals(1, ready.state().reexecs());
        }

        @Test
        void changedLibvirtdConfRestartsAStartingLibvirtd() {
            Transition t = virtd.step(virtd.starting(42), new Lifecycle.Reconfigure(true));
            assertPhase(Phase.STOPPING, Goal.UP, t);
            assertEquals(List.of(new CancelTimer(VIRTD, 1), new SendSignal(VIRTD, 42, Signal.TERM),
                    new ArmTimer(VIRTD, TimerKind.STOP_TIMEOUT, seconds(20), 2)), effects(t));
        }

        @Test
        void pendingReloadIsDroppedWhenANewProcessIsSpawned() {
            DaemonState changed = logd.step(logd.starting(42), new Lifecycle.Reconfigure(true)).state();
            Transition died = logd.step(changed, new Lifecycle.Exited(42, CODE_1));
            assertEquals(List.of(new CancelTimer(LOGD, 1), new Spawn(LOGD)), effects(died));
            assertFalse(died.state().reloadPending());
            DaemonState respawned = logd.step(died.state(), new Lifecycle.Spawned(43)).state();
            assertEquals(List.of(new CancelTimer(LOGD, 2)),
                    effects(logd.step(respawned, new Lifecycle.Ready(43))));
        }

        @Test
        void unchangedFileLeavesAStartingDaemonAlone() {
            DaemonState starting = virtd.starting(42);
            Transition t = virtd.step(starting, new Lifecycle.Reconfigure(false));
            assertEquals(starting, t.state());
            assertEquals(List.of(), t.actions());
        }
    }

    @Nested
    class Running {
        @Test
        void firstDeathRestartsAtOnce() {
            Transition t = virtd.step(virtd.running(123), new Lifecycle.Exited(123, SIGKILLED), T0.plusSeconds(5));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(VIRTD)), effects(t));
            assertEquals(1, t.state().restarts());
            assertEquals(1, t.state().consecutiveFailures());
            assertFalse(t.state().hasPid());
            assertEquals(Optional.empty(), t.state().readyAt());
            assertEquals(Optional.of(new DaemonState.LastExit(123, SIGKILLED, T0.plusSeconds(5))),
                    t.state().lastExit());
            assertEquals(List.of("WARNING libvirtd (pid 123) killed by signal 9 (SIGKILL); restarting now (restart 1)"),
                    logs(t.actions()));
        }

        private DaemonState runningAfterFailures(int failures) {
            DaemonState.Draft draft = virtd.running(123).draft();
            draft.consecutiveFailures = failures;
            draft.restarts = failures;
            return draft.build();
        }

        @Test
        void quickDeathAfterEarlierFailuresBacksOff() {
            // ready at T0+1 s; dies 10 s later, well within restart-reset-after (60 s)
            Transition t = virtd.step(runningAfterFailures(3), new Lifecycle.Exited(123, CODE_1), T0.plusSeconds(11));
            assertPhase(Phase.BACKOFF, Goal.UP, t);
            assertEquals(4, t.state().consecutiveFailures());
            assertEquals(List.of(new ArmTimer(VIRTD, TimerKind.BACKOFF, seconds(4), 2)), effects(t));
            assertEquals(Optional.of(T0.plusSeconds(15)), t.state().nextAttemptAt());
            assertEquals(List.of("WARNING libvirtd (pid 123) exited with code 1; failed 4 starts in a row;"
                    + " next attempt in 4 s (restart 4)"), logs(t.actions()));
        }

        @Test
        void deathAfterAStableRunCountsAsAFirstFailure() {
            // ready at T0+1 s; restart-reset-after is 60 s
            Transition t = virtd.step(runningAfterFailures(5), new Lifecycle.Exited(123, CODE_1), T0.plusSeconds(61));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(1, t.state().consecutiveFailures());
            assertEquals(List.of(new Spawn(VIRTD)), effects(t));
        }

        @Test
        void deathJustBeforeTheResetStillBacksOff() {
            Transition t = virtd.step(runningAfterFailures(5), new Lifecycle.Exited(123, CODE_1),
                    T0.plusSeconds(61).minusMillis(1));
            assertPhase(Phase.BACKOFF, Goal.UP, t);
            assertEquals(6, t.state().consecutiveFailures());
        }

        @Test
        void statusShowsNoFailuresOnceStable() {
            DaemonState state = runningAfterFailures(5);
            assertEquals(5, state.failuresAsOf(T0.plusSeconds(30), seconds(60)));
            assertEquals(0, state.failuresAsOf(T0.plusSeconds(61), seconds(60)));
        }

        @Test
        void stopTerminatesItsPidOnly() {
            Transition t = virtd.step(virtd.running(123), new Lifecycle.Stop());
            assertPhase(Phase.STOPPING, Goal.DOWN, t);
            assertEquals(List.of(new SendSignal(VIRTD, 123, Signal.TERM),
                    new ArmTimer(VIRTD, TimerKind.STOP_TIMEOUT, seconds(20), 2)), effects(t));
            assertEquals(List.of("INFO stopping libvirtd (pid 123): SIGTERM, SIGKILL if it is still running after"
                    + " 20 s; running guests are not signalled"), logs(t.actions()));
        }

        @Test
        void heldDaemonKeepsRunningAndIsNotRestartedWhenItDies() {
            Transition hold = logd.step(logd.running(42), new Lifecycle.Hold());
            assertPhase(Phase.RUNNING, Goal.DOWN, hold);
            assertEquals(List.of(), hold.actions());
            Transition died = logd.step(hold.state(), new Lifecycle.Exited(42, CODE_0));
            assertPhase(Phase.STOPPED, Goal.DOWN, died);
            assertEquals(List.of(), effects(died));
            assertEquals(0, died.state().restarts());
        }

        @Test
        void restartTerminatesAndStaysWanted() {
            Transition t = logd.step(logd.running(42), new Lifecycle.Restart());
            assertPhase(Phase.STOPPING, Goal.UP, t);
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.TERM),
                    new ArmTimer(LOGD, TimerKind.STOP_TIMEOUT, seconds(20), 2)), effects(t));
        }

        @Test
        void reloadOfVirtlogdIsAReExecutionNotARestart() {
            Transition t = logd.step(logd.running(42), new Lifecycle.Reload());
            assertPhase(Phase.RUNNING, Goal.UP, t);
            assertEquals(42, t.state().pid());
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.USR1)), effects(t));
            assertEquals(1, t.state().reexecs());
            assertEquals(0, t.state().restarts());
        }

        @Test
        void reloadOfLibvirtdIsAHangup() {
            Transition t = virtd.step(virtd.running(123), new Lifecycle.Reload());
            assertPhase(Phase.RUNNING, Goal.UP, t);
            assertEquals(List.of(new SendSignal(VIRTD, 123, Signal.HUP)), effects(t));
            assertEquals(0, t.state().reexecs());
        }

        @Test
        void forwardSendsExactlyThatSignal() {
            Transition t = virtd.step(virtd.running(123), new Lifecycle.Forward(new Signal(12)));
            assertEquals(List.of(new SendSignal(VIRTD, 123, new Signal(12))), effects(t));
            assertEquals(Phase.RUNNING, t.state().phase());
            assertEquals(List.of("INFO sent SIGUSR2 to libvirtd (pid 123) on request"), logs(t.actions()));
        }

        @Test
        void killingVirtlogdOnRequestWarnsOfTheConsoles() {
            Transition t = logd.step(logd.running(42), new Lifecycle.Forward(Signal.KILL));
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.KILL)), effects(t));
            assertEquals(List.of("WARNING sent SIGKILL to virtlogd (pid 42) on request: running guests lose their"
                    + " console logs until they restart"), logs(t.actions()));
        }

        @Test
        void unexpectedSpawnResultsAreIgnoredLoudly() {
            DaemonState running = logd.running(42);
            for (Lifecycle.Input input : List.of(new Lifecycle.Spawned(43), new Lifecycle.SpawnFailed("x"))) {
                Transition t = logd.step(running, input);
                assertEquals(running, t.state(), input.toString());
                assertEquals(List.of(), effects(t), input.toString());
                assertEquals(1, logs(t.actions()).size());
                assertTrue(logs(t.actions()).get(0).startsWith("WARNING ignored an unexpected spawn result for"
                        + " virtlogd in RUNNING"), logs(t.actions()).toString());
            }
            DaemonState starting = logd.starting(42);
            assertEquals(starting, logd.step(starting, new Lifecycle.Spawned(43)).state());
        }

        @Test
        void reconfigureMatrix() {
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.USR1)),
                    effects(logd.step(logd.running(42), new Lifecycle.Reconfigure(true))));
            assertEquals(List.of(), logd.step(logd.running(42), new Lifecycle.Reconfigure(false)).actions());
            Transition changed = virtd.step(virtd.running(123), new Lifecycle.Reconfigure(true));
            assertPhase(Phase.STOPPING, Goal.UP, changed);
            assertEquals(new SendSignal(VIRTD, 123, Signal.TERM), effects(changed).get(0));
            Transition unchanged = virtd.step(virtd.running(123), new Lifecycle.Reconfigure(false));
            assertPhase(Phase.RUNNING, Goal.UP, unchanged);
            assertEquals(List.of(new SendSignal(VIRTD, 123, Signal.HUP)), effects(unchanged));
        }

        @Test
        void readyAgainAfterAReExecutionChangesNothing() {
            DaemonState running = logd.running(42);
            Transition t = logd.step(running, new Lifecycle.Ready(42), T0.plusSeconds(9));
            assertEquals(running, t.state());
            assertEquals(List.of(), t.actions());
        }

        @Test
        void deathDuringAReExecutionIsARealDeath() {
            DaemonState reexecuting = logd.step(logd.running(42), new Lifecycle.Reload()).state();
            assertTrue(reexecuting.reexecPending());
            Transition t = logd.step(reexecuting, new Lifecycle.Exited(42, CODE_1), T0.plusSeconds(3));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(LOGD)), effects(t));
            assertEquals(1, t.state().restarts());
            assertFalse(t.state().reexecPending());
            assertEquals(List.of("WARNING virtlogd (pid 42) exited with code 1 while re-executing itself;"
                    + " restarting now (restart 1)"), logs(t.actions()));
        }

        @Test
        void readyAfterAReExecutionConfirmsIt() {
            DaemonState reexecuting = logd.step(logd.running(42), new Lifecycle.Reload()).state();
            Transition t = logd.step(reexecuting, new Lifecycle.Ready(42), T0.plusSeconds(4));
            assertPhase(Phase.RUNNING, Goal.UP, t);
            assertFalse(t.state().reexecPending());
            assertEquals(42, t.state().pid());
            assertEquals(reexecuting.readyAt(), t.state().readyAt()); // the stable run goes on
            assertEquals(List.of(), effects(t));
        }

        @Test
        void startOfARunningDaemonChangesNothing() {
            DaemonState running = logd.running(42);
            Transition t = logd.step(running, new Lifecycle.Start());
            assertEquals(running, t.state());
            assertEquals(List.of(), t.actions());
        }
    }

    @Nested
    class Stopping {
        @Test
        void exitMakesItStopped() {
            Transition t = virtd.step(virtd.stopping(123), new Lifecycle.Exited(123, CODE_0), T0.plusSeconds(3));
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(new CancelTimer(VIRTD, 2)), effects(t));
            assertEquals(0, t.state().restarts());
            assertEquals(0, t.state().consecutiveFailures());
            assertFalse(t.state().hasPid());
            assertEquals(List.of("INFO libvirtd (pid 123) stopped: exited with code 0"), logs(t.actions()));
        }

        @Test
        void stopTimeoutSendsKill() {
            Transition t = logd.step(logd.stopping(42), new Lifecycle.TimerFired(TimerKind.STOP_TIMEOUT, 2));
            assertPhase(Phase.STOPPING, Goal.DOWN, t);
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.KILL),
                    new ArmTimer(LOGD, TimerKind.KILL_TIMEOUT, seconds(20), 3)), effects(t));
            assertEquals(List.of("WARNING virtlogd (pid 42) is still running 20 s after SIGTERM; sending SIGKILL"
                    + " (running guests lose their console logs until they restart)"), logs(t.actions()));
            Transition again = logd.step(t.state(), new Lifecycle.TimerFired(TimerKind.STOP_TIMEOUT, 2));
            assertEquals(List.of(), again.actions());
        }

        @Test
        void processStuckAfterKillIsReportedOnce() {
            DaemonState killed = logd.step(logd.stopping(42), new Lifecycle.TimerFired(TimerKind.STOP_TIMEOUT, 2))
                    .state();
            Transition t = logd.step(killed, new Lifecycle.TimerFired(TimerKind.KILL_TIMEOUT, 3));
            assertPhase(Phase.STOPPING, Goal.DOWN, t);
            assertEquals(List.of(), effects(t));
            assertEquals(Optional.empty(), t.state().timer());
            assertEquals(List.of("ERROR virtlogd (pid 42) has not exited 20 s after SIGKILL: it is stuck in the kernel"
                    + " (uninterruptible sleep, see its state in /proc/42/status); still waiting for it"),
                    logs(t.actions()));
            Transition exit = logd.step(t.state(), new Lifecycle.Exited(42, SIGKILLED));
            assertPhase(Phase.STOPPED, Goal.DOWN, exit);
            assertEquals(List.of(), effects(exit));
        }

        @Test
        void exitAfterARestartStartsItAgainWithoutCountingARestart() {
            DaemonState restarting = logd.step(logd.running(42), new Lifecycle.Restart()).state();
            Transition t = logd.step(restarting, new Lifecycle.Exited(42, CODE_0));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new CancelTimer(LOGD, 2), new Spawn(LOGD)), effects(t));
            assertEquals(0, t.state().restarts());
            assertEquals(0, t.state().consecutiveFailures());
        }

        @Test
        void exitAfterAStartTimeoutIsAFailedStart() {
            DaemonState timedOut = logd.step(logd.starting(42), new Lifecycle.TimerFired(TimerKind.START_TIMEOUT, 1))
                    .state();
            Transition t = logd.step(timedOut, new Lifecycle.Exited(42, new Termination.Killed(15, false)));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(1, t.state().consecutiveFailures());
            assertEquals(1, t.state().restarts());
            assertEquals(List.of(new CancelTimer(LOGD, 2), new Spawn(LOGD)), effects(t));
        }

        @Test
        void startWhileStoppingStartsAgainAfterTheExit() {
            DaemonState wanted = logd.step(logd.stopping(42), new Lifecycle.Start()).state();
            assertEquals(Goal.UP, wanted.goal());
            assertEquals(Phase.STOPPING, wanted.phase());
            Transition t = logd.step(wanted, new Lifecycle.Exited(42, CODE_0));
            assertEquals(List.of(new CancelTimer(LOGD, 2), new Spawn(LOGD)), effects(t));
            assertEquals(0, t.state().restarts());
        }

        @Test
        void stopDuringARestartMakesItAStop() {
            DaemonState restarting = logd.step(logd.running(42), new Lifecycle.Restart()).state();
            DaemonState stopped = logd.step(restarting, new Lifecycle.Stop()).state();
            Transition t = logd.step(stopped, new Lifecycle.Exited(42, CODE_0));
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(new CancelTimer(LOGD, 2)), effects(t));
        }

        @Test
        void restartedLibvirtdWaitsForVirtlogd() {
            DaemonState restarting = virtd.step(virtd.running(123), new Lifecycle.Restart()).state();
            Transition t = virtd.blocked(restarting, new Lifecycle.Exited(123, CODE_0));
            assertPhase(Phase.STOPPED, Goal.UP, t);
            assertEquals(List.of(new CancelTimer(VIRTD, 2)), effects(t));
        }

        @Test
        void reloadIsRefusedAndSignalsForwarded() {
            DaemonState stopping = logd.stopping(42);
            assertEquals(List.of(new Rejected("virtlogd (pid 42) is stopping; nothing to reload")),
                    logd.step(stopping, new Lifecycle.Reload()).actions());
            assertEquals(List.of(new SendSignal(LOGD, 42, Signal.KILL)),
                    effects(logd.step(stopping, new Lifecycle.Forward(Signal.KILL))));
        }
    }

    @Nested
    class Backoff {
        @Test
        void reachedWithATimerOfOneSecond() {
            DaemonState backoff = logd.backoff();
            assertEquals(Phase.BACKOFF, backoff.phase());
            assertEquals(2, backoff.consecutiveFailures());
            assertEquals(new DaemonState.ArmedTimer(TimerKind.BACKOFF, 3, T0.plusSeconds(1)), backoff.timer().get());
        }

        @Test
        void timerSpawns() {
            Transition t = logd.step(logd.backoff(), new Lifecycle.TimerFired(TimerKind.BACKOFF, 3));
            assertPhase(Phase.STARTING, Goal.UP, t);
            assertEquals(List.of(new Spawn(LOGD)), effects(t));
            assertEquals(2, t.state().consecutiveFailures());
        }

        @Test
        void staleTimerIsIgnored() {
            DaemonState backoff = logd.backoff();
            for (Lifecycle.TimerFired stale : List.of(new Lifecycle.TimerFired(TimerKind.BACKOFF, 2),
                    new Lifecycle.TimerFired(TimerKind.START_TIMEOUT, 3))) {
                Transition t = logd.step(backoff, stale);
                assertEquals(backoff, t.state(), stale.toString());
                assertEquals(List.of(), t.actions(), stale.toString());
            }
        }

        @Test
        void stopCancelsThePendingRestart() {
            Transition t = logd.step(logd.backoff(), new Lifecycle.Stop());
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(new CancelTimer(LOGD, 3)), effects(t));
            assertEquals(List.of("INFO virtlogd stopped: its pending restart is cancelled"), logs(t.actions()));
        }

        @Test
        void startGivesAFreshCountButAReloadKeepsIt() {
            assertEquals(0, logd.step(logd.backoff(), new Lifecycle.Start()).state().consecutiveFailures());
            assertEquals(0, logd.step(logd.backoff(), new Lifecycle.Restart()).state().consecutiveFailures());
            assertEquals(2, logd.step(logd.backoff(), new Lifecycle.Reconfigure(true)).state().consecutiveFailures());
        }

        @Test
        void startAndReconfigureRetryNow() {
            for (Lifecycle.Input input : List.of(new Lifecycle.Start(), new Lifecycle.Restart(),
                    new Lifecycle.Reconfigure(false), new Lifecycle.Reconfigure(true))) {
                Transition t = logd.step(logd.backoff(), input);
                assertPhase(Phase.STARTING, Goal.UP, t);
                assertEquals(List.of(new CancelTimer(LOGD, 3), new Spawn(LOGD)), effects(t), input.toString());
            }
        }

        @Test
        void libvirtdDueWhileVirtlogdIsDownWaits() {
            DaemonState backoff = virtd.backoff();
            Transition t = virtd.blocked(backoff, new Lifecycle.TimerFired(TimerKind.BACKOFF, 3));
            assertPhase(Phase.STOPPED, Goal.UP, t);
            assertEquals(List.of(), effects(t));
        }

        @Test
        void reloadIsRefused() {
            assertEquals(List.of(new Rejected("virtlogd is not running: it failed and waits to be restarted")),
                    logd.step(logd.backoff(), new Lifecycle.Reload()).actions());
        }
    }

    @Nested
    class Failed {
        final Policy limitTwo = new Policy(seconds(30), seconds(20), seconds(30), seconds(60), 2, false);
        final Rows rows = new Rows(VIRTD, limitTwo);

        DaemonState failed() {
            DaemonState first = rows.step(rows.starting(100), new Lifecycle.Exited(100, CODE_1)).state();
            DaemonState again = rows.step(first, new Lifecycle.Spawned(101)).state();
            return rows.step(again, new Lifecycle.Exited(101, CODE_1)).state();
        }

        @Test
        void respawnLimitGivesUp() {
            DaemonState first = rows.step(rows.starting(100), new Lifecycle.Exited(100, CODE_1)).state();
            DaemonState again = rows.step(first, new Lifecycle.Spawned(101)).state();
            Transition t = rows.step(again, new Lifecycle.Exited(101, CODE_1));
            assertPhase(Phase.FAILED, Goal.UP, t);
            assertEquals(List.of(new CancelTimer(VIRTD, 2)), effects(t));
            assertEquals(2, t.state().consecutiveFailures());
            assertEquals(1, t.state().restarts());
            assertEquals(List.of("ERROR libvirtd (pid 101) exited with code 1 before it was ready; libvirtd failed"
                    + " 2 starts in a row (respawn-limit 2): giving up; `virtsup start libvirtd` tries again"),
                    logs(t.actions()));
            assertTrue(t.state().problem().isPresent());
        }

        @Test
        void startTriesAgainWithAFreshCount() {
            for (Lifecycle.Input input : List.of(new Lifecycle.Start(), new Lifecycle.Restart(),
                    new Lifecycle.Reconfigure(false))) {
                Transition t = rows.step(failed(), input);
                assertPhase(Phase.STARTING, Goal.UP, t);
                assertEquals(List.of(new Spawn(VIRTD)), effects(t), input.toString());
                assertEquals(0, t.state().consecutiveFailures());
                assertEquals(Optional.empty(), t.state().problem());
            }
        }

        @Test
        void stopMakesItStopped() {
            Transition t = rows.step(failed(), new Lifecycle.Stop());
            assertPhase(Phase.STOPPED, Goal.DOWN, t);
            assertEquals(List.of(), t.actions());
        }

        @Test
        void shutdownLeavesItFailedSoTheLastStatusSaysWhy() {
            Transition t = rows.step(failed(), new Lifecycle.Hold());
            assertPhase(Phase.FAILED, Goal.DOWN, t);
            assertTrue(t.state().problem().isPresent());
            assertEquals(List.of(), t.actions());
        }

        @Test
        void nothingElseMovesIt() {
            DaemonState failed = failed();
            for (Lifecycle.Input input : List.of(new Lifecycle.StartNow(), new Lifecycle.TimerFired(TimerKind.BACKOFF, 2),
                    new Lifecycle.Ready(101), new Lifecycle.Exited(101, CODE_1))) {
                Transition t = rows.step(failed, input);
                assertEquals(failed, t.state(), input.toString());
                assertEquals(List.of(), t.actions(), input.toString());
            }
            assertEquals(List.of(new Rejected("libvirtd is not running: it failed; `virtsup start libvirtd` tries again")),
                    rows.step(failed, new Lifecycle.Forward(Signal.HUP)).actions());
        }

        @Test
        void spawnFailuresCountTowardsTheLimit() {
            DaemonState first = rows.step(rows.spawning(), new Lifecycle.SpawnFailed("spawn x: ENOENT")).state();
            assertEquals(Phase.STARTING, first.phase());
            Transition second = rows.step(first, new Lifecycle.SpawnFailed("spawn x: ENOENT"), T0.plus(Duration.ofMillis(5)));
            assertEquals(Phase.FAILED, second.state().phase());
            assertEquals(Optional.of("cannot start libvirtd: spawn x: ENOENT"), second.state().problem());
        }
    }
}

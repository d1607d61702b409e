package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.supervise.Daemon.LIBVIRTD;
import static org.virtsup.supervise.Daemon.VIRTLOGD;
import static org.virtsup.supervise.FakeExecutor.messages;
import static org.virtsup.supervise.FakeExecutor.only;
import static org.virtsup.supervise.FakeExecutor.signals;
import static org.virtsup.supervise.FakeExecutor.spawns;
import static org.virtsup.supervise.Rows.seconds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Action.SendSignal;

/** Scenarios over both daemons, driven through a fake executor and a clock the test moves. */
class SupervisionTest {
    static final Termination CODE_0 = new Termination.Exited(0);
    static final Termination CODE_1 = new Termination.Exited(1);
    static final Termination SIGKILLED = new Termination.Killed(9, false);
    static final Termination SIGTERMED = new Termination.Killed(15, false);

    static Policy policy(int respawnLimit, boolean exitOnFailure) {
        return new Policy(seconds(30), seconds(20), seconds(30), seconds(60), respawnLimit, exitOnFailure);
    }

    @Nested
    class Boot {
        @Test
        void virtlogdFirstThenLibvirtdOnceVirtlogdIsReady() {
            FakeExecutor run = FakeExecutor.both();
            List<Action> boot = run.boot();
            assertEquals(List.of(VIRTLOGD), spawns(boot));
            assertEquals(Phase.STARTING, run.state(VIRTLOGD).phase());
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(Goal.UP, run.state(LIBVIRTD).goal());

            List<Action> virtlogdReady = run.ready(VIRTLOGD);
            assertEquals(List.of(LIBVIRTD), spawns(virtlogdReady));
            assertEquals(List.of(), only(Action.ReportReady.class, virtlogdReady));

            List<Action> libvirtdReady = run.ready(LIBVIRTD);
            assertEquals(List.of(new Action.ReportReady()), only(Action.ReportReady.class, libvirtdReady));
            assertTrue(messages(libvirtdReady).contains("ready: virtlogd (pid 100), libvirtd (pid 101) running"));
            assertEquals(1, only(Action.ReportReady.class, run.journal).size());
        }

        @Test
        void readinessIsReportedOnlyOnce() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.exits(LIBVIRTD, SIGKILLED);
            run.ready(LIBVIRTD);
            assertEquals(1, only(Action.ReportReady.class, run.journal).size());
        }

        @Test
        void readinessCountsOnlyTheDaemonsWantedUp() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            run.ready(VIRTLOGD);
            List<Action> stop = run.feed(new Event.Stop(LIBVIRTD));
            assertEquals(List.of(), only(Action.ReportReady.class, stop));
            List<Action> stopped = run.exits(LIBVIRTD, CODE_0);
            assertEquals(List.of(new Action.ReportReady()), only(Action.ReportReady.class, stopped));
        }

        @Test
        void libvirtdAloneStartsDirectly() {
            FakeExecutor run = new FakeExecutor(Set.of(LIBVIRTD));
            assertEquals(List.of(LIBVIRTD), spawns(run.boot()));
            assertEquals(List.of(new Action.ReportReady()), only(Action.ReportReady.class, run.ready(LIBVIRTD)));
        }

        @Test
        void virtlogdAloneIsReadyOnItsOwn() {
            FakeExecutor run = new FakeExecutor(Set.of(VIRTLOGD));
            assertEquals(List.of(VIRTLOGD), spawns(run.boot()));
            assertEquals(List.of(new Action.ReportReady()), only(Action.ReportReady.class, run.ready(VIRTLOGD)));
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(Goal.DOWN, run.state(LIBVIRTD).goal());
        }

        @Test
        void secondBootIsRefused() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            List<Action> again = run.boot();
            assertEquals(List.of(new Action.Rejected("virtsup has already started its daemons")), again);
        }

        @Test
        void commandsBeforeBootAreRefused() {
            FakeExecutor run = FakeExecutor.both();
            assertEquals(List.of(new Action.Rejected("virtsup has not started its daemons yet")),
                    run.feed(new Event.Start(LIBVIRTD)));
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
        }

        @Test
        void startTimeoutOfVirtlogdTerminatesItAndCountsAFailedStart() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            int first = run.pid(VIRTLOGD);
            List<Action> timeout = run.advance(seconds(30));
            assertEquals(List.of(new SendSignal(VIRTLOGD, first, Signal.TERM)), signals(timeout));
            assertEquals(Phase.STOPPING, run.state(VIRTLOGD).phase());
            List<Action> exit = run.feed(new Event.Exited(first, SIGTERMED));
            assertEquals(List.of(VIRTLOGD), spawns(exit));
            assertEquals(1, run.state(VIRTLOGD).consecutiveFailures());
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase()); // still waiting
        }
    }

    @Nested
    class Deaths {
        @Test
        void killedLibvirtdIsRespawnedAtOnceAndVirtlogdIsUntouched() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.advance(seconds(5));
            int virtlogd = run.pid(VIRTLOGD);
            List<Action> death = run.exits(LIBVIRTD, SIGKILLED);
            assertEquals(List.of(LIBVIRTD), spawns(death));
            assertEquals(List.of(), signals(death));
            assertEquals(virtlogd, run.pid(VIRTLOGD));
            assertEquals(1, run.state(LIBVIRTD).restarts());
            assertTrue(messages(death).contains(
                    "libvirtd (pid 101) killed by signal 9 (SIGKILL); restarting now (restart 1)"), messages(death)
                    .toString());
            assertEquals(102, run.pid(LIBVIRTD));
        }

        @Test
        void deathOfVirtlogdDoesNotRestartLibvirtd() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            int libvirtd = run.pid(LIBVIRTD);
            List<Action> death = run.exits(VIRTLOGD, CODE_1);
            assertEquals(List.of(VIRTLOGD), spawns(death));
            assertEquals(List.of(), signals(death));
            assertEquals(Phase.RUNNING, run.state(LIBVIRTD).phase());
            assertEquals(libvirtd, run.pid(LIBVIRTD));
            assertEquals(List.of(), spawns(run.ready(VIRTLOGD)));
        }

        @Test
        void libvirtdDyingWhileVirtlogdIsDownWaitsForIt() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.exits(VIRTLOGD, CODE_1); // respawned, STARTING
            List<Action> death = run.exits(LIBVIRTD, CODE_1);
            assertEquals(List.of(), spawns(death));
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(Goal.UP, run.state(LIBVIRTD).goal());
            assertTrue(messages(death).contains(
                    "libvirtd (pid 101) exited with code 1; restarting once virtlogd is running (restart 1)"));
            assertEquals(List.of(LIBVIRTD), spawns(run.ready(VIRTLOGD)));
        }

        @Test
        void crashLoopBacksOffExponentiallyUpToTheCapThenResetsAfterAStableRun() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            run.ready(VIRTLOGD);
            List<Duration> delays = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                run.ready(LIBVIRTD);
                run.advance(seconds(2)); // well below restart-reset-after
                java.time.Instant died = run.now;
                run.exits(LIBVIRTD, CODE_1);
                if (run.state(LIBVIRTD).phase() == Phase.BACKOFF) {
                    run.advance(Duration.between(run.now, run.timerDue(LIBVIRTD).orElseThrow()));
                }
                assertEquals(Phase.STARTING, run.state(LIBVIRTD).phase());
                delays.add(Duration.between(died, run.now));
            }
            assertEquals(List.of(seconds(0), seconds(1), seconds(2), seconds(4), seconds(8), seconds(16), seconds(30),
                    seconds(30), seconds(30)), delays);
            assertEquals(9, run.state(LIBVIRTD).consecutiveFailures());
            assertEquals(9, run.state(LIBVIRTD).restarts());

            run.ready(LIBVIRTD);
            run.advance(seconds(60));
            assertEquals(0, run.state(LIBVIRTD).failuresAsOf(run.now, seconds(60)));
            List<Action> stableDeath = run.exits(LIBVIRTD, CODE_1);
            assertEquals(List.of(LIBVIRTD), spawns(stableDeath));
            assertEquals(1, run.state(LIBVIRTD).consecutiveFailures());
            assertEquals(10, run.state(LIBVIRTD).restarts());
        }

        @Test
        void failedSpawnsBackOffLikeDeaths() {
            FakeExecutor run = new FakeExecutor(Set.of(LIBVIRTD));
            run.failSpawns(LIBVIRTD, "spawn /usr/sbin/libvirtd: ENOENT", "spawn /usr/sbin/libvirtd: ENOENT",
                    "spawn /usr/sbin/libvirtd: ENOENT");
            List<Action> boot = run.boot();
            // first failure retried at once, second waits 1 s
            assertEquals(List.of(LIBVIRTD, LIBVIRTD), spawns(boot));
            assertEquals(Phase.BACKOFF, run.state(LIBVIRTD).phase());
            assertTrue(messages(boot).contains("cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT;"
                    + " failed 2 starts in a row; next attempt in 1 s (restart 2)"), messages(boot).toString());
            List<Action> second = run.advance(seconds(1));
            assertEquals(List.of(LIBVIRTD), spawns(second));
            assertEquals(Phase.BACKOFF, run.state(LIBVIRTD).phase());
            assertEquals(run.now.plusSeconds(2), run.timerDue(LIBVIRTD).orElseThrow());
            List<Action> third = run.advance(seconds(2));
            assertEquals(List.of(LIBVIRTD), spawns(third));
            assertEquals(Phase.STARTING, run.state(LIBVIRTD).phase());
            assertEquals(100, run.pid(LIBVIRTD));
        }

        @Test
        void exitsOfOtherPidsChangeNothing() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            Supervision before = run.supervision;
            List<Action> orphan = run.feed(new Event.Exited(4242, CODE_0));
            assertEquals(before, run.supervision);
            assertEquals(List.of(new Action.Log(Action.Log.Level.DEBUG,
                    "reaped pid 4242, which is not a supervised daemon: exited with code 0")), orphan);
        }

        @Test
        void exitOfAnEarlierLibvirtdPidIsNotTakenForTheCurrentOne() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            int old = run.pid(LIBVIRTD);
            run.exits(LIBVIRTD, SIGKILLED);
            Supervision before = run.supervision;
            run.feed(new Event.Exited(old, SIGKILLED));
            assertEquals(before, run.supervision);
        }

        @Test
        void staleTimersAreIgnored() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            int first = run.pid(VIRTLOGD);
            long firstTimer = run.state(VIRTLOGD).timer().orElseThrow().generation();
            run.feed(new Event.Exited(first, CODE_1)); // respawned at once, new start timeout armed
            Supervision before = run.supervision;
            List<Action> stale = run.feed(new Event.TimerFired(VIRTLOGD, TimerKind.START_TIMEOUT, firstTimer));
            assertEquals(List.of(), stale);
            assertEquals(before, run.supervision);
        }
    }

    @Nested
    class RespawnLimit {
        void failLibvirtdThreeTimes(FakeExecutor run) {
            run.boot();
            run.ready(VIRTLOGD);
            for (int i = 0; i < 3; i++) {
                if (run.state(LIBVIRTD).phase() == Phase.BACKOFF) {
                    run.advance(Duration.between(run.now, run.timerDue(LIBVIRTD).orElseThrow()));
                }
                run.exits(LIBVIRTD, CODE_1);
            }
        }

        @Test
        void giveUpAndKeepVirtlogd() {
            FakeExecutor run = new FakeExecutor(policy(3, false), Set.of(VIRTLOGD, LIBVIRTD));
            failLibvirtdThreeTimes(run);
            assertEquals(Phase.FAILED, run.state(LIBVIRTD).phase());
            assertEquals(Phase.RUNNING, run.state(VIRTLOGD).phase());
            assertEquals(List.of(), only(Action.Exit.class, run.journal));
            assertEquals(List.of(), only(Action.ReportStopping.class, run.journal));

            List<Action> retry = run.feed(new Event.Start(LIBVIRTD));
            assertEquals(List.of(LIBVIRTD), spawns(retry));
            assertEquals(0, run.state(LIBVIRTD).consecutiveFailures());
        }

        @Test
        void exitOnFailureStopsVirtlogdAndExitsNonZero() {
            FakeExecutor run = new FakeExecutor(policy(3, true), Set.of(VIRTLOGD, LIBVIRTD));
            failLibvirtdThreeTimes(run);
            assertEquals(Phase.FAILED, run.state(LIBVIRTD).phase());
            assertEquals(Supervision.Stage.SHUTTING_DOWN, run.supervision.stage());
            assertEquals(1, only(Action.ReportStopping.class, run.journal).size());
            List<SendSignal> sent = signals(run.journal);
            assertEquals(new SendSignal(VIRTLOGD, 100, Signal.TERM), sent.get(sent.size() - 1));
            assertEquals(List.of(), only(Action.Exit.class, run.journal));

            List<Action> last = run.exits(VIRTLOGD, CODE_0);
            assertEquals(List.of(new Action.Exit(1, "libvirtd failed and exit-on-failure? is set")),
                    only(Action.Exit.class, last));
            assertEquals(Supervision.Stage.EXITED, run.supervision.stage());
        }

        @Test
        void exitOnFailureOfVirtlogdNeverStartsLibvirtd() {
            FakeExecutor run = new FakeExecutor(policy(1, true), Set.of(VIRTLOGD, LIBVIRTD));
            run.boot();
            List<Action> death = run.exits(VIRTLOGD, CODE_1);
            assertEquals(List.of(), spawns(death));
            assertEquals(List.of(new Action.Exit(1, "virtlogd failed and exit-on-failure? is set")),
                    only(Action.Exit.class, death));
            assertFalse(spawns(run.journal).contains(LIBVIRTD));
        }

        @Test
        void reloadRetriesAFailedDaemon() {
            FakeExecutor run = new FakeExecutor(policy(3, false), Set.of(VIRTLOGD, LIBVIRTD));
            failLibvirtdThreeTimes(run);
            List<Action> reload = run.feed(new Event.Reconfigured(policy(3, false), Set.of(VIRTLOGD, LIBVIRTD),
                    Set.of()));
            assertEquals(List.of(LIBVIRTD), spawns(reload));
            assertEquals(Phase.STARTING, run.state(LIBVIRTD).phase());
        }
    }

    @Nested
    class Shutdown {
        @Test
        void libvirtdFirstThenVirtlogdWithKillAfterTheStopTimeout() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            int virtlogd = run.pid(VIRTLOGD);
            int libvirtd = run.pid(LIBVIRTD);
            List<Action> shutdown = run.feed(new Event.Shutdown());
            assertEquals(List.of(new SendSignal(LIBVIRTD, libvirtd, Signal.TERM)), signals(shutdown));
            assertEquals(List.of(new Action.ReportStopping()), only(Action.ReportStopping.class, shutdown));

            List<Action> timeout = run.advance(seconds(20));
            assertEquals(List.of(new SendSignal(LIBVIRTD, libvirtd, Signal.KILL)), signals(timeout));
            assertEquals(Phase.RUNNING, run.state(VIRTLOGD).phase());

            List<Action> libvirtdGone = run.exits(LIBVIRTD, SIGKILLED);
            assertEquals(List.of(new SendSignal(VIRTLOGD, virtlogd, Signal.TERM)), signals(libvirtdGone));
            assertEquals(List.of(), only(Action.Exit.class, libvirtdGone));
            assertEquals(List.of(), spawns(libvirtdGone));

            List<Action> virtlogdGone = run.exits(VIRTLOGD, CODE_0);
            assertEquals(List.of(new Action.Exit(0, "shutdown requested")), only(Action.Exit.class, virtlogdGone));
            assertEquals(Phase.STOPPED, run.state(VIRTLOGD).phase());
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
        }

        @Test
        void duringLibvirtdsBackoffCancelsTheRestartAndStopsVirtlogdAtOnce() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.exits(LIBVIRTD, CODE_1);
            run.exits(LIBVIRTD, CODE_1);
            assertEquals(Phase.BACKOFF, run.state(LIBVIRTD).phase());
            List<Action> shutdown = run.feed(new Event.Shutdown());
            assertEquals(List.of(new SendSignal(VIRTLOGD, 100, Signal.TERM)), signals(shutdown));
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(List.of(), run.advance(seconds(5)).stream()
                    .filter(a -> a instanceof Action.Spawn).toList());
            assertEquals(1, only(Action.Exit.class, run.exits(VIRTLOGD, CODE_0)).size());
        }

        @Test
        void virtlogdDyingDuringShutdownIsNotRestarted() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.feed(new Event.Shutdown());
            List<Action> death = run.exits(VIRTLOGD, SIGKILLED);
            assertEquals(List.of(), spawns(death));
            assertEquals(Phase.STOPPED, run.state(VIRTLOGD).phase());
            assertEquals(List.of(), only(Action.Exit.class, death));
            assertEquals(1, only(Action.Exit.class, run.exits(LIBVIRTD, CODE_0)).size());
        }

        @Test
        void whileLibvirtdIsStartingItIsTerminatedToo() {
            FakeExecutor run = FakeExecutor.both();
            run.boot();
            run.ready(VIRTLOGD);
            int libvirtd = run.pid(LIBVIRTD);
            List<Action> shutdown = run.feed(new Event.Shutdown());
            assertEquals(List.of(new SendSignal(LIBVIRTD, libvirtd, Signal.TERM)), signals(shutdown));
        }

        @Test
        void withNothingRunningExitsAtOnce() {
            FakeExecutor run = FakeExecutor.both();
            List<Action> shutdown = run.feed(new Event.Shutdown());
            assertEquals(List.of(new Action.Exit(0, "shutdown requested")), only(Action.Exit.class, shutdown));
        }

        @Test
        void commandsAreRefusedAndEverythingAfterTheExitIgnored() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.feed(new Event.Shutdown());
            assertEquals(List.of(new Action.Rejected("virtsup is shutting down")), run.feed(new Event.Start(LIBVIRTD)));
            assertEquals(List.of(new Action.Log(Action.Log.Level.INFO, "already shutting down")),
                    run.feed(new Event.Shutdown()));
            run.exits(LIBVIRTD, CODE_0);
            run.exits(VIRTLOGD, CODE_0);
            Supervision exited = run.supervision;
            List<Action> late = run.feed(new Event.Start(VIRTLOGD));
            assertEquals(exited, run.supervision);
            assertEquals(List.of(Action.Log.Level.DEBUG),
                    only(Action.Log.class, late).stream().map(Action.Log::level).toList());
            assertEquals(late.size(), only(Action.Log.class, late).size());
        }
    }

    @Nested
    class Commands {
        @Test
        void restartOfLibvirtdSignalsOnlyItsPidAndIsNotCountedAsARestart() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            int libvirtd = run.pid(LIBVIRTD);
            List<Action> restart = run.feed(new Event.Restart(LIBVIRTD));
            assertEquals(List.of(new SendSignal(LIBVIRTD, libvirtd, Signal.TERM)), signals(restart));
            List<Action> exit = run.exits(LIBVIRTD, CODE_0);
            assertEquals(List.of(LIBVIRTD), spawns(exit));
            assertEquals(0, run.state(LIBVIRTD).restarts());
        }

        @Test
        void reexecutionOfVirtlogdKeepsItsPidAndIsNotARestart() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            int virtlogd = run.pid(VIRTLOGD);
            List<Action> reload = run.feed(new Event.Reload(VIRTLOGD));
            assertEquals(List.of(new SendSignal(VIRTLOGD, virtlogd, Signal.USR1)), signals(reload));
            assertTrue(run.state(VIRTLOGD).reexecPending());
            List<Action> readyAgain = run.ready(VIRTLOGD);
            assertEquals(List.of("virtlogd (pid 100) re-executed itself and is ready again"), messages(readyAgain));
            assertEquals(readyAgain.size(), only(Action.Log.class, readyAgain).size());
            assertFalse(run.state(VIRTLOGD).reexecPending());
            assertEquals(Phase.RUNNING, run.state(VIRTLOGD).phase());
            assertEquals(virtlogd, run.pid(VIRTLOGD));
            assertEquals(0, run.state(VIRTLOGD).restarts());
            assertEquals(1, run.state(VIRTLOGD).reexecs());
        }

        @Test
        void hangupOfLibvirtdChangesNoState() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            DaemonState before = run.state(LIBVIRTD);
            List<Action> hup = run.feed(new Event.Reload(LIBVIRTD));
            assertEquals(List.of(new SendSignal(LIBVIRTD, before.pid(), Signal.HUP)), signals(hup));
            assertEquals(before, run.state(LIBVIRTD));
        }

        @Test
        void forwardedSignalGoesToThePidOnly() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            List<Action> forward = run.feed(new Event.Forward(VIRTLOGD, new Signal(2)));
            assertEquals(List.of(new SendSignal(VIRTLOGD, 100, new Signal(2))), signals(forward));
        }

        @Test
        void stoppingVirtlogdWhileLibvirtdRunsIsAllowedAndLibvirtdNoLongerWaitsForIt() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            List<Action> stop = run.feed(new Event.Stop(VIRTLOGD));
            assertEquals(List.of(new SendSignal(VIRTLOGD, 100, Signal.TERM)), signals(stop));
            run.exits(VIRTLOGD, CODE_0);
            assertEquals(Phase.STOPPED, run.state(VIRTLOGD).phase());
            assertEquals(Phase.RUNNING, run.state(LIBVIRTD).phase());
            assertEquals(List.of(LIBVIRTD), spawns(run.exits(LIBVIRTD, SIGKILLED)));
        }

        @Test
        void stopThenStartOfLibvirtd() {
            FakeExecutor run = FakeExecutor.both();
            run.bootBothReady();
            run.feed(new Event.Stop(LIBVIRTD));
            run.exits(LIBVIRTD, CODE_0);
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(Goal.DOWN, run.state(LIBVIRTD).goal());
            assertEquals(List.of(LIBVIRTD), spawns(run.feed(new Event.Start(LIBVIRTD))));
        }

        @Test
        void commandsForAnUnsupervisedDaemonAreRefused() {
            FakeExecutor run = new FakeExecutor(Set.of(LIBVIRTD));
            run.boot();
            String reason = "virtlogd is not supervised: the configuration declares no virtlog-service-type";
            for (Event event : List.of(new Event.Start(VIRTLOGD), new Event.Stop(VIRTLOGD), new Event.Restart(VIRTLOGD),
                    new Event.Reload(VIRTLOGD), new Event.Forward(VIRTLOGD, Signal.HUP))) {
                assertEquals(List.of(new Action.Rejected(reason)), run.feed(event), event.toString());
            }
            assertEquals(Phase.STOPPED, run.state(VIRTLOGD).phase());
        }

        @Test
        void aStepNamesItsRefusal() {
            FakeExecutor run = new FakeExecutor(Set.of(LIBVIRTD));
            run.boot();
            assertEquals(java.util.Optional.of("virtlogd is not supervised: the configuration declares no"
                    + " virtlog-service-type"), run.supervision.on(new Event.Stop(VIRTLOGD), run.now).rejection());
            assertEquals(java.util.Optional.empty(), run.supervision.on(new Event.Stop(LIBVIRTD), run.now).rejection());
        }
    }

    @Nested
    class Reconfiguration {
        FakeExecutor run = FakeExecutor.both();

        List<Action> reload(Set<Daemon> supervised, Set<Daemon> changed) {
            return run.feed(new Event.Reconfigured(Policy.defaults(), supervised, changed));
        }

        @Test
        void changedVirtlogdConfReExecutesVirtlogdAndLibvirtdGetsAHangup() {
            run.bootBothReady();
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of(VIRTLOGD));
            assertEquals(List.of(new SendSignal(VIRTLOGD, 100, Signal.USR1), new SendSignal(LIBVIRTD, 101, Signal.HUP)),
                    signals(actions));
            assertEquals(0, run.state(VIRTLOGD).restarts());
        }

        @Test
        void changedLibvirtdConfRestartsLibvirtdOnly() {
            run.bootBothReady();
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of(LIBVIRTD));
            assertEquals(List.of(new SendSignal(LIBVIRTD, 101, Signal.TERM)), signals(actions));
            assertEquals(List.of(LIBVIRTD), spawns(run.exits(LIBVIRTD, CODE_0)));
            assertEquals(Phase.RUNNING, run.state(VIRTLOGD).phase());
            assertEquals(0, run.state(LIBVIRTD).restarts());
        }

        @Test
        void nothingChangedIsAHangupForLibvirtdOnly() {
            run.bootBothReady();
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of());
            assertEquals(List.of(new SendSignal(LIBVIRTD, 101, Signal.HUP)), signals(actions));
        }

        @Test
        void bothChanged() {
            run.bootBothReady();
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of(VIRTLOGD, LIBVIRTD));
            assertEquals(List.of(new SendSignal(VIRTLOGD, 100, Signal.USR1), new SendSignal(LIBVIRTD, 101, Signal.TERM)),
                    signals(actions));
        }

        @Test
        void removedLibvirtdIsStoppedAndNoLongerSupervised() {
            run.bootBothReady();
            List<Action> actions = reload(Set.of(VIRTLOGD), Set.of());
            assertEquals(List.of(new SendSignal(LIBVIRTD, 101, Signal.TERM)), signals(actions));
            assertFalse(run.state(LIBVIRTD).supervised());
            assertEquals(List.of(), spawns(run.exits(LIBVIRTD, CODE_0)));
            assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());
            assertEquals(1, only(Action.Rejected.class, run.feed(new Event.Start(LIBVIRTD))).size());
        }

        @Test
        void addedLibvirtdIsStarted() {
            run = new FakeExecutor(Set.of(VIRTLOGD));
            run.boot();
            run.ready(VIRTLOGD);
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of());
            assertEquals(List.of(LIBVIRTD), spawns(actions));
            assertTrue(run.state(LIBVIRTD).supervised());
            assertEquals(List.of(), signals(actions)); // virtlogd.conf unchanged: no signal
        }

        @Test
        void addedVirtlogdStartsWithoutTouchingARunningLibvirtd() {
            run = new FakeExecutor(Set.of(LIBVIRTD));
            run.boot();
            run.ready(LIBVIRTD);
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of());
            assertEquals(List.of(VIRTLOGD), spawns(actions));
            assertEquals(List.of(new SendSignal(LIBVIRTD, 100, Signal.HUP)), signals(actions));
        }

        @Test
        void aDaemonInBackoffIsRetriedNow() {
            run.bootBothReady();
            run.exits(LIBVIRTD, CODE_1);
            run.exits(LIBVIRTD, CODE_1);
            assertEquals(Phase.BACKOFF, run.state(LIBVIRTD).phase());
            List<Action> actions = reload(Set.of(VIRTLOGD, LIBVIRTD), Set.of());
            assertEquals(List.of(LIBVIRTD), spawns(actions));
            assertTrue(run.timerDue(LIBVIRTD).isPresent()); // the new start timeout, not the backoff
            assertEquals(TimerKind.START_TIMEOUT, run.state(LIBVIRTD).timer().orElseThrow().kind());
        }

        @Test
        void newPolicyTakesEffect() {
            run.bootBothReady();
            Policy quick = new Policy(seconds(5), seconds(3), seconds(30), seconds(60), 0, false);
            run.feed(new Event.Reconfigured(quick, Set.of(VIRTLOGD, LIBVIRTD), Set.of(LIBVIRTD)));
            List<Action> kill = run.advance(seconds(3));
            assertEquals(List.of(new SendSignal(LIBVIRTD, 101, Signal.KILL)), signals(kill));
        }

        @Test
        void refusedDuringShutdown() {
            run.bootBothReady();
            run.feed(new Event.Shutdown());
            List<Action> actions = reload(Set.of(VIRTLOGD), Set.of(VIRTLOGD));
            assertEquals(List.of(new Action.Rejected("virtsup is shutting down; the new configuration is not applied")),
                    actions);
        }
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.control.ControlProtocol;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Peer;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.virtsup.control.StatusReport;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.Signals;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Signal;

class ControlBridgeTest {
    private static final Peer ROOT = new Peer(0, 0, 777, true);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private ExecutorUnderTest run;
    private ControlBridge bridge;

    private void start(FakePosix posix) {
        run = new ExecutorUnderTest(posix, SupervisionExecutorTest.BOTH);
        StatusReport.Virtsup self = new StatusReport.Virtsup(4242, 0, Optional.empty(), true, "test");
        bridge = new ControlBridge(run.supervisor,
                only -> StatusReports.of(run.supervisor.state(), run.supervisor, self, only, run.time.instant()),
                () -> CompletableFuture.completedFuture(
                        new Reply.Failure(ErrorCode.FAILED, "no configuration file in this test")),
                () -> CompletableFuture.completedFuture(new Reply.Failure(ErrorCode.FAILED, "no re-exec in this test")));
    }

    private static FakePosix daemons(ChildBehaviour virtlogd, ChildBehaviour libvirtd) {
        return new FakePosix().onSpawn("/usr/sbin/virtlogd", virtlogd).onSpawn("/usr/sbin/libvirtd", libvirtd);
    }

    @AfterEach
    void stop() {
        if (run != null) {
            run.close();
        }
    }

    private CompletableFuture<Reply> ask(Request request) {
        CompletableFuture<Reply> reply = bridge.handle(request, ROOT);
        run.onLoop(() -> null); // the request has been dispatched
        return reply;
    }

    private static Reply answer(CompletableFuture<Reply> reply) throws Exception {
        return reply.get(5, TimeUnit.SECONDS);
    }

    private static Reply.ActionOutcome outcome(CompletableFuture<Reply> reply) throws Exception {
        return assertInstanceOf(Reply.ActionOutcome.class, answer(reply));
    }

    @Test
    void aCommandWhoseClientWentAwayNoLongerWaits() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        run.bootBoth();
        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Stop(Daemon.LIBVIRTD)));
        CompletableFuture<Reply> reply = ask(new Request.Start("libvirtd"));
        assertEquals(1, (int) run.onLoop(run.supervisor::waiting), "the start waits for libvirtd to be ready");

        reply.cancel(false); // what the control server does when nobody waits for the answer any more
        assertEquals(0, (int) run.onLoop(run.supervisor::waiting), "an abandoned command still waits");
    }

    @Test
    void restartRepliesOnceTheNewProcessIsReady() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        CompletableFuture<Reply> reply = ask(new Request.Restart("libvirtd"));
        int newPid = run.posix.awaitSpawned(3, WAIT).pid();
        run.onLoop(() -> null);
        assertFalse(reply.isDone(), "no reply before the new libvirtd is ready");
        assertEquals(List.of(Signals.TERM), run.posix.signalsSentTo(pids[1]));

        run.ready(Daemon.LIBVIRTD);
        Reply.ActionOutcome done = outcome(reply);
        assertNotEquals(pids[1], newPid);
        assertEquals(OptionalInt.of(newPid), done.pid());
        assertEquals(Optional.of(Phase.RUNNING), done.state());
        assertEquals(Optional.of("libvirtd"), done.name());
        assertEquals(0, run.state(Daemon.LIBVIRTD).restarts(), "an operator's restart is no failure");
    }

    @Test
    void stopRepliesOnceTheDaemonExitedAndStartOnceItIsReady() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.ignoresTerm()));
        int[] pids = run.bootBoth();

        CompletableFuture<Reply> stopped = ask(new Request.Stop("libvirtd"));
        assertEquals(List.of(Signals.TERM), run.posix.signalsSentTo(pids[1]));
        assertFalse(stopped.isDone(), "libvirtd ignores TERM for now: no reply yet");
        run.posix.exit(pids[1], 0);
        Reply.ActionOutcome stop = outcome(stopped);
        assertEquals(Optional.of(Phase.STOPPED), stop.state());
        assertEquals(OptionalInt.empty(), stop.pid());
        assertEquals(List.of(), stop.warnings());

        CompletableFuture<Reply> started = ask(new Request.Start("libvirtd"));
        int newPid = run.posix.awaitSpawned(3, WAIT).pid();
        run.onLoop(() -> null);
        assertFalse(started.isDone(), "no reply before libvirtd is ready");
        run.ready(Daemon.LIBVIRTD);
        Reply.ActionOutcome start = outcome(started);
        assertEquals(OptionalInt.of(newPid), start.pid());
        assertEquals(Optional.of(Phase.RUNNING), start.state());
    }

    @Test
    void aRestartWhoseNewProcessKeepsDyingRepliesFailedWithTheExitAndLastLines() throws Exception {
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        ChildBehaviour firstRunsThenEachDies = new ChildBehaviour() {
            @Override
            public void started(org.virtsup.posix.FakeChild child) {
                if (starts.incrementAndGet() > 1) {
                    child.writeStderr("error : libvirt.conf is broken\n");
                    child.exit(1);
                }
            }

            @Override
            public void signalled(org.virtsup.posix.FakeChild child, int signal) {
                ChildBehaviour.daemon().signalled(child, signal);
            }
        };
        start(daemons(ChildBehaviour.daemon(), firstRunsThenEachDies));
        run.bootBoth();

        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, answer(ask(new Request.Restart("libvirtd"))));

        assertEquals(ErrorCode.FAILED, failure.code());
        assertTrue(failure.message().contains("exited with code 1"), failure.message());
        assertTrue(failure.message().contains("error : libvirt.conf is broken"), failure.message());
        // The reply comes with the first failure; the immediate retry fails too and backs off.
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.BACKOFF, "backs off after its retry failed");
    }

    @Test
    void startingARunningDaemonRepliesAtOnceWithItsPid() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        Reply.ActionOutcome done = outcome(ask(new Request.Start("libvirtd")));

        assertEquals(OptionalInt.of(pids[1]), done.pid());
        assertEquals(2, run.posix.spawned().size());
        assertEquals(List.of(), run.kills());
    }

    @Test
    void aRestartInFlightWhenVirtsupShutsDownRepliesThatItWasStopped() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        run.bootBoth();
        CompletableFuture<Reply> reply = ask(new Request.Restart("libvirtd"));
        run.posix.awaitSpawned(3, WAIT);

        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Shutdown()));

        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, answer(reply));
        assertEquals(ErrorCode.FAILED, failure.code());
        assertTrue(failure.message().contains("stopped before it was ready"), failure.message());
        assertEquals(0, run.exitCode.get(5, TimeUnit.SECONDS));
    }

    @Test
    void stoppingVirtlogdUnderARunningLibvirtdCarriesAWarning() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        Reply.ActionOutcome stop = outcome(ask(new Request.Stop("virtlogd")));

        assertEquals(Optional.of(Phase.STOPPED), stop.state());
        assertEquals(1, stop.warnings().size());
        assertTrue(stop.warnings().get(0).contains("libvirtd keeps running without virtlogd"), stop.warnings().get(0));
        assertEquals(List.of(), run.posix.signalsSentTo(pids[1]), "libvirtd is not stopped with it");
        assertTrue(run.posix.isRunning(pids[1]));
    }

    @Test
    void reloadingVirtlogdSendsUsr1AndRepliesOnceItIsReadyAgainWithTheSamePid() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        CompletableFuture<Reply> reply = ask(new Request.Reload(Optional.of("virtlogd")));
        assertEquals(List.of(Signals.USR1), run.posix.signalsSentTo(pids[0]));
        assertFalse(reply.isDone(), "no reply before virtlogd says READY=1 again");

        run.ready(Daemon.VIRTLOGD);
        Reply.ActionOutcome done = outcome(reply);
        assertEquals(OptionalInt.of(pids[0]), done.pid());
        assertTrue(done.message().contains("pid " + pids[0]), done.message());
        assertEquals(2, run.posix.spawned().size(), "re-execution in place spawns nothing");
        assertEquals(0, run.state(Daemon.VIRTLOGD).restarts());
    }

    @Test
    void reloadingVirtlogdThatDiesInsteadRepliesFailed() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        CompletableFuture<Reply> reply = ask(new Request.Reload(Optional.of("virtlogd")));
        run.posix.die(pids[0], 11);

        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, answer(reply));
        assertEquals(ErrorCode.FAILED, failure.code());
        assertTrue(failure.message().contains("killed by signal 11 (SIGSEGV)"), failure.message());
    }

    @Test
    void reloadingLibvirtdSendsHup() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        Reply.ActionOutcome done = outcome(ask(new Request.Reload(Optional.of("libvirtd"))));

        assertEquals(List.of(Signals.HUP), run.posix.signalsSentTo(pids[1]));
        assertEquals(OptionalInt.of(pids[1]), done.pid());
        assertTrue(done.message().contains("pid " + pids[1]), done.message());
        assertEquals(List.of(), run.posix.signalsSentTo(pids[0]));
    }

    @Test
    void aSignalIsForwardedToTheDaemonsPidOnly() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();

        Reply.ActionOutcome done = outcome(ask(new Request.Signal("libvirtd", Signal.named("WINCH"))));

        assertEquals(List.of(28), run.posix.signalsSentTo(pids[1]));
        assertEquals(List.of("kill " + pids[1] + " SIGWINCH"), run.kills());
        assertTrue(done.message().contains("SIGWINCH") && done.message().contains("pid " + pids[1]), done.message());
    }

    /** The protocol takes 1 to 64: a real-time signal reaches the daemon too (it was refused past 31). */
    @Test
    void aRealTimeSignalTheProtocolAcceptsIsForwardedToo() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();
        Request request = ControlProtocol.decodeRequest(
                "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":40}");

        Reply.ActionOutcome done = outcome(ask(request));

        assertEquals(List.of(40), run.posix.signalsSentTo(pids[1]));
        assertTrue(done.message().contains("SIGRTMIN+8"), done.message());
    }

    @Test
    void reloadAndSignalOfADaemonThatIsNotRunningAreRefusedWithTheReason() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        run.boot();
        int virtlogd = run.posix.awaitSpawned(1, WAIT).pid();

        Reply.Failure reload = assertInstanceOf(Reply.Failure.class,
                answer(ask(new Request.Reload(Optional.of("virtlogd")))));
        Reply.Failure signal = assertInstanceOf(Reply.Failure.class,
                answer(ask(new Request.Signal("libvirtd", Signal.named("HUP")))));

        assertEquals(ErrorCode.FAILED, reload.code());
        assertTrue(reload.message().contains("still starting"), reload.message());
        assertEquals(ErrorCode.FAILED, signal.code());
        assertTrue(signal.message().contains("libvirtd is not running"), signal.message());
        assertEquals(List.of(), run.posix.signalsSentTo(virtlogd));
        assertEquals(List.of(), run.kills());
    }

    @Test
    void anUnknownDaemonIsNoSuchDaemon() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        run.bootBoth();

        for (Request request : List.of(new Request.Start("qemu"), new Request.Stop("qemu"),
                new Request.Restart("qemu"), new Request.Reload(Optional.of("qemu")),
                new Request.Signal("qemu", Signal.named("HUP")), new Request.Status(Optional.of("qemu")),
                new Request.Log("qemu", 5))) {
            Reply.Failure failure = assertInstanceOf(Reply.Failure.class, answer(ask(request)), request.toString());
            assertEquals(ErrorCode.NO_SUCH_DAEMON, failure.code(), request.toString());
            assertTrue(failure.message().contains("'qemu'"), failure.message());
        }
        assertEquals(List.of(), run.kills());
        assertEquals(2, run.posix.spawned().size());
    }

    @Test
    void startingADaemonWhoseExecutableIsMissingRepliesFailedWithoutWaitingForTheNextRetry() throws Exception {
        start(new FakePosix().onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon()));
        run.boot();
        run.posix.awaitSpawned(1, WAIT);
        run.ready(Daemon.VIRTLOGD);
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.BACKOFF, "backs off");

        // The time stands still: the next retry never comes, the reply must not wait for it.
        Reply.Failure failure = assertInstanceOf(Reply.Failure.class,
                answer(ask(new Request.Start("libvirtd"))));
        assertEquals(ErrorCode.FAILED, failure.code());
        assertTrue(failure.message().contains("spawn /usr/sbin/libvirtd: ENOENT"), failure.message());
    }

    @Test
    void statusShowsStatePidRestartsLastExitAndTheOutputOfFailingDaemonsOnly() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();
        run.posix.child(pids[0]).writeStdout("virtlogd is fine\n");
        Eventually.until(() -> !run.supervisor.tail(Daemon.VIRTLOGD).last(1).isEmpty(), () -> "virtlogd's line");
        // libvirtd dies twice before it is ready: restarted at once, then backing off.
        crash(pids[1], "error : cannot find qemu\n");
        int second = run.posix.awaitSpawned(3, WAIT).pid();
        crash(second, "error : still no qemu\n");
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.BACKOFF, "backs off");

        StatusReport report = assertInstanceOf(StatusReport.class, answer(ask(new Request.Status(Optional.empty()))));
        assertEquals(List.of("virtlogd", "libvirtd"), report.daemons().stream().map(StatusReport.Daemon::name).toList());
        StatusReport.Daemon virtlogd = report.daemons().get(0);
        StatusReport.Daemon libvirtd = report.daemons().get(1);

        assertEquals(Phase.RUNNING, virtlogd.state());
        assertEquals(OptionalInt.of(pids[0]), virtlogd.pid());
        assertTrue(virtlogd.ready());
        assertEquals(0, virtlogd.restarts());
        assertEquals(Optional.empty(), virtlogd.lastExit());
        assertEquals(List.of(), virtlogd.lastOutputLines(), "a healthy daemon's output is not in its status");

        assertEquals(Phase.BACKOFF, libvirtd.state());
        assertEquals(OptionalInt.empty(), libvirtd.pid());
        assertFalse(libvirtd.ready());
        assertEquals(2, libvirtd.restarts());
        StatusReport.LastExit last = libvirtd.lastExit().orElseThrow();
        assertEquals("exited with code 1", last.description());
        assertEquals(OptionalInt.of(1), last.code());
        assertEquals(OptionalInt.empty(), last.signal());
        assertEquals(java.util.OptionalLong.of(1), libvirtd.nextRetryInSeconds());
        assertEquals(Optional.of(last.at().plusSeconds(1)), libvirtd.nextRetryAt(),
                "due the chosen delay after the exit");
        assertEquals(List.of("error : cannot find qemu", "error : still no qemu"), libvirtd.lastOutputLines());

        StatusReport one = assertInstanceOf(StatusReport.class,
                answer(ask(new Request.Status(Optional.of("virtlogd")))));
        assertEquals(List.of("virtlogd"), one.daemons().stream().map(StatusReport.Daemon::name).toList());
    }

    @Test
    void statusCountsUptimeFromTheSpawnOfTheCurrentProcess() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();
        run.advance(Duration.ofSeconds(90));
        run.posix.die(pids[1], 9);
        run.posix.awaitSpawned(3, WAIT);
        run.onLoop(() -> null); // the spawn is recorded before the time moves
        run.advance(Duration.ofSeconds(5));

        StatusReport report = assertInstanceOf(StatusReport.class, answer(ask(new Request.Status(Optional.empty()))));

        assertEquals(java.util.OptionalLong.of(95), report.daemons().get(0).uptimeSeconds());
        assertEquals(java.util.OptionalLong.of(5), report.daemons().get(1).uptimeSeconds());
        assertEquals(1, report.daemons().get(1).restarts());
        assertEquals(OptionalInt.of(9), report.daemons().get(1).lastExit().orElseThrow().signal());
    }

    @Test
    void logRepliesWithTheDaemonsLastLines() throws Exception {
        start(daemons(ChildBehaviour.daemon(), ChildBehaviour.daemon()));
        int[] pids = run.bootBoth();
        run.posix.child(pids[1]).writeStdout("one\ntwo\nthree\n");
        Eventually.until(() -> run.supervisor.tail(Daemon.LIBVIRTD).last(5).size() == 3, () -> "three lines");

        Reply.LogOutput log = assertInstanceOf(Reply.LogOutput.class, answer(ask(new Request.Log("libvirtd", 2))));
        assertEquals("libvirtd", log.name());
        assertEquals(List.of("two", "three"), log.lines());
    }

    /** The daemon writes {@code line}, which reaches its tail, then exits with 1. */
    private void crash(int pid, String line) {
        run.posix.child(pid).writeStdout(line);
        String expected = line.strip();
        Eventually.until(() -> run.supervisor.tail(Daemon.LIBVIRTD).last(1).equals(List.of(expected)),
                () -> "'" + expected + "' in libvirtd's tail");
        run.posix.exit(pid, 1);
    }
}

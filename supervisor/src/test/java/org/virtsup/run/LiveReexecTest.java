package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.virtsup.adopt.Handover;
import org.virtsup.control.Reply;
import org.virtsup.notify.Notifier;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.Signals;
import org.virtsup.posix.Pipe;
import org.virtsup.supervise.Daemon;

/**
 * The re-exec's decision and hand-over, against the strict fake: the
 * installed code's check comes first and its refusal changes nothing; the
 * exec keeps exactly the handed-over descriptors and names them in the
 * environment, without the old handover; a daemon on its way somewhere
 * makes it wait.
 */
@Timeout(60)
class LiveReexecTest {
    private static final String LAUNCHER = "/usr/bin/virtsup";
    private static final ExecCommand COMMAND = new ExecCommand(LAUNCHER, List.of(LAUNCHER),
            List.of("run", "--config", "/etc/virtsup/config.scm"));
    private ExecutorUnderTest run;
    private Pipe control;
    private Map<String, Integer> held = Map.of();
    private int resumed;
    private Optional<String> unrecorded = Optional.empty();

    private LiveReexec reexec(FakePosix posix) {
        run = new ExecutorUnderTest(posix.onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
                .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.daemon()), SupervisionExecutorTest.BOTH);
        return new LiveReexec(posix, run.loop, run.supervisor, Notifier::disabled, () -> COMMAND,
                Map.of("PATH", "/usr/bin", Handover.VARIABLE, "1 generation=2 up-millis=5 sockets="),
                new LiveReexec.Holdings(2, () -> Duration.ofHours(5), () -> control.readFd(), () -> resumed++,
                        () -> held, () -> unrecorded));
    }

    @AfterEach
    void close() {
        if (run != null) {
            run.close();
        }
    }

    private Reply ask(LiveReexec reexec) throws Exception {
        CompletableFuture<Reply> reply = run.onLoop(reexec::request);
        return reply.get(20, TimeUnit.SECONDS);
    }

    @Test
    void execsTheLauncherWithTheSameArgumentsOnceItsCheckPasses() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.exitsWith(0));
        LiveReexec reexec = reexec(posix);
        run.bootBoth();
        control = posix.pipe();
        Pipe socket = posix.pipe();
        held = Map.of("libvirtd.socket", control.writeFd(), "virtlogd.socket", socket.readFd());

        Reply reply = ask(reexec);

        Reply.ActionOutcome outcome = assertInstanceOf(Reply.ActionOutcome.class, reply);
        assertTrue(outcome.message().contains("re-executes in place; the daemons keep running"), outcome.message());
        Eventually.until(() -> !posix.execs().isEmpty(), () -> "no exec after " + posix.calls());
        FakePosix.Replaced exec = posix.execs().get(0);
        assertEquals(LAUNCHER, exec.path);
        assertEquals(List.of(LAUNCHER, "run", "--config", "/etc/virtsup/config.scm"), exec.argv);
        assertEquals(2, exec.environment.size(), exec.environment.toString());
        assertEquals("PATH=/usr/bin", exec.environment.get(0), "the old handover is not passed on");
        String prefix = Handover.VARIABLE + "=";
        assertTrue(exec.environment.get(1).startsWith(prefix), exec.environment.toString());
        Handover next = Handover.parse(exec.environment.get(1).substring(prefix.length()));
        assertEquals(3, next.generation());
        assertEquals(Duration.ofHours(5), next.up());
        assertEquals(OptionalInt.of(control.readFd()), next.control());
        assertEquals(held, next.sockets());
        assertEquals(Map.of("virtlogd", 0, "libvirtd", 0), next.restarts());
        assertEquals(Set.of("virtlogd", "libvirtd"), next.outputs().keySet(), "both daemons' output pipes cross");
        Set<Integer> inherited = new java.util.HashSet<>(next.sockets().values());
        inherited.addAll(next.outputs().values());
        inherited.add(control.readFd());
        assertEquals(inherited, exec.inherited, "exactly the descriptors the handover names");
        assertEquals(Set.of(Signals.TERM, Signals.INT, Signals.HUP, Signals.USR1), exec.held,
                "a stop asked during the exec waits for the new JVM");
        assertEquals(0, resumed);
        assertTrue(posix.calls().contains("spawn " + LAUNCHER + " " + LAUNCHER + " check --config /etc/virtsup/config.scm"),
                posix.calls().toString());
    }

    @Test
    void anExecThatFailsAcceptsControlConnectionsAgainAndMayBeAskedAgain() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.exitsWith(0));
        LiveReexec reexec = reexec(posix);
        int[] pids = run.bootBoth();
        control = posix.pipe();
        held = Map.of("libvirtd.socket", 999); // not open: execve is never reached (EBADF)

        assertInstanceOf(Reply.ActionOutcome.class, ask(reexec));

        Eventually.until(() -> resumed == 1, () -> "control connections not accepted again: " + posix.calls());
        assertEquals(List.of(), posix.execs());
        assertEquals(pids[1], run.state(Daemon.LIBVIRTD).pid());
        held = Map.of();
        assertInstanceOf(Reply.ActionOutcome.class, ask(reexec), "nothing is left under way");
        Eventually.until(() -> posix.execs().size() == 1, () -> "no exec the second time: " + posix.calls());
    }

    @Test
    void aCheckThatFailsRefusesWithItsLastLinesAndExecsNothing() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.onStart(child -> {
            child.writeStderr("/etc/virtsup/config.scm:3:5: error: field 'max-clients': -1 is out of range\n");
            child.exit(78);
        }));
        LiveReexec reexec = reexec(posix);
        int[] pids = run.bootBoth();

        Reply.Failure refusal = assertInstanceOf(Reply.Failure.class, ask(reexec));

        assertTrue(refusal.message().startsWith("re-exec refused: the installed virtsup cannot take over: '"
                + LAUNCHER + " check --config /etc/virtsup/config.scm' exited with 78:\n"
                + "  /etc/virtsup/config.scm:3:5: error: field 'max-clients': -1 is out of range"), refusal.message());
        assertTrue(refusal.message().endsWith("; nothing was changed"), refusal.message());
        assertEquals(List.of(), posix.execs());
        assertEquals(pids[1], run.state(Daemon.LIBVIRTD).pid());
        assertEquals(List.of(), run.kills(), "no daemon was signalled");
        // Refused, it may be asked again: nothing is left "under way".
        assertInstanceOf(Reply.Failure.class, ask(reexec));
        assertEquals(2, posix.calls().stream().filter(call -> call.startsWith("spawn " + LAUNCHER)).count());
    }

    @Test
    void aDaemonTheStateRecordDoesNotNameRefusesTheReexec() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.exitsWith(0));
        LiveReexec reexec = reexec(posix);
        run.bootBoth();
        unrecorded = Optional.of("libvirtd (pid 1001) is not in the state record");

        Reply.Failure refusal = assertInstanceOf(Reply.Failure.class, ask(reexec));

        assertEquals("re-exec refused: libvirtd (pid 1001) is not in the state record; nothing was changed",
                refusal.message());
        assertEquals(List.of(), posix.execs());
    }

    @Test
    void waitsWhileADaemonIsStarting() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.exitsWith(0));
        LiveReexec reexec = reexec(posix);
        run.boot(); // virtlogd spawned, not ready yet

        Reply.Failure refusal = assertInstanceOf(Reply.Failure.class, ask(reexec));

        assertEquals("re-exec refused: virtlogd is starting; try again once it is settled (see 'virtsup status');"
                + " nothing was changed", refusal.message());
        assertTrue(posix.calls().stream().noneMatch(call -> call.startsWith("spawn " + LAUNCHER)), posix.calls()
                .toString());
    }

    @Test
    void aCheckWhoseClientWentAwayIsStillKilledAfterItsPatience() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.runsUntilSignalled());
        LiveReexec reexec = reexec(posix);
        run.bootBoth();
        CompletableFuture<Reply> gone = run.onLoop(reexec::request);
        gone.cancel(true); // the client hung up, as the control server then cancels its reply

        run.advance(LiveReexec.CHECK_PATIENCE);

        int check = posix.awaitSpawned(3, Duration.ofSeconds(5)).pid();
        Eventually.until(() -> run.kills().contains("kill " + check + " SIGKILL"), () -> "not killed: " + run.kills());
        Eventually.until(() -> !run.onLoop(reexec::underWay), () -> "still under way after the check was killed");
        CompletableFuture<Reply> next = run.onLoop(reexec::request);
        run.advance(LiveReexec.CHECK_PATIENCE);
        Reply.Failure refusal = assertInstanceOf(Reply.Failure.class, next.get(20, TimeUnit.SECONDS));
        assertTrue(refusal.message().contains("was killed by"), "not left 'under way': " + refusal.message());
    }

    @Test
    void aCheckThatHangsIsKilledAfterItsPatienceAndRefuses() throws Exception {
        FakePosix posix = new FakePosix().onSpawn(LAUNCHER, ChildBehaviour.runsUntilSignalled());
        LiveReexec reexec = reexec(posix);
        run.bootBoth();
        CompletableFuture<Reply> reply = run.onLoop(reexec::request);

        run.advance(LiveReexec.CHECK_PATIENCE);

        Reply.Failure refusal = assertInstanceOf(Reply.Failure.class, reply.get(20, TimeUnit.SECONDS));
        assertTrue(refusal.message().contains("' was killed by signal 9 (SIGKILL)"), refusal.message());
        assertEquals(List.of(), posix.execs());
    }
}

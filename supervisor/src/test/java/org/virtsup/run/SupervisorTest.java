package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Termination;

class SupervisorTest {
    static final String BOTH = "(service virtlog-service-type)\n"
            + "(service libvirt-service-type)\n"
            + "(supervisor-configuration (stop-timeout 1))\n";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private SupervisorUnderTest run;
    private LogCapture log;

    private SupervisorUnderTest start(FakePosix posix, String configuration) {
        run = new SupervisorUnderTest(posix, configuration);
        return run;
    }

    private static FakePosix bothDaemons() {
        return new FakePosix()
                .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
                .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.daemon());
    }

    @AfterEach
    void stop() {
        if (run != null) {
            run.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void bootSpawnsVirtlogdFirstWithItsFileAndASmallEnvironment() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        run.boot();
        SpawnSpec virtlogd = run.posix.awaitSpawned(1, WAIT).spec();

        assertEquals("/usr/sbin/virtlogd", virtlogd.path());
        assertEquals(List.of("/usr/sbin/virtlogd", "-f", SupervisorUnderTest.STATE_DIRECTORY + "/virtlogd.conf"),
                virtlogd.argv());
        assertEquals(Map.of(
                "PATH", DaemonProgram.SYSTEM_PATH,
                "HOME", "/home/tester",
                "LANG", "C.UTF-8",
                "LC_MESSAGES", "fr_FR.UTF-8",
                "TZ", "Europe/Paris",
                "LIBVIRT_DEBUG", "1",
                "NOTIFY_SOCKET", SupervisorUnderTest.notifySocket(Daemon.VIRTLOGD).toString()),
                virtlogd.environment());
        assertEquals(-1, virtlogd.stdin(), "stdin is /dev/null");
        assertTrue(virtlogd.stdout() >= 0, "stdout goes to a pipe");
        assertEquals(virtlogd.stdout(), virtlogd.stderr(), "stdout and stderr share one pipe");
        assertFalse(run.posix.openDescriptors().contains(virtlogd.stdout()),
                "the pipe's write end is closed in virtsup once the child has it, or EOF never comes");
    }

    @Test
    void libvirtdWaitsForVirtlogdToBeReady() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        run.boot();
        run.posix.awaitSpawned(1, WAIT);
        DaemonState libvirtd = run.state(Daemon.LIBVIRTD);

        assertEquals(1, run.posix.spawned().size(), "only virtlogd is spawned before it is ready");
        assertEquals(Phase.STOPPED, libvirtd.phase());

        run.ready(Daemon.VIRTLOGD);
        SpawnSpec spec = run.posix.awaitSpawned(2, WAIT).spec();
        assertEquals(List.of("/usr/sbin/libvirtd", "-f", SupervisorUnderTest.STATE_DIRECTORY + "/libvirtd.conf"),
                spec.argv(), "no --listen unless listen? is on");
        assertEquals(SupervisorUnderTest.notifySocket(Daemon.LIBVIRTD).toString(),
                spec.environment().get("NOTIFY_SOCKET"), "each daemon has its own notify socket");
        assertEquals(-1, spec.stdin());
        assertEquals(spec.stdout(), spec.stderr());
    }

    @Test
    void listenAddsTheFlagToLibvirtdOnly() {
        SupervisorUnderTest run = start(bothDaemons(), "(service virtlog-service-type)\n"
                + "(service libvirt-service-type)\n(supervisor-configuration (listen? #t))\n");
        run.bootBoth();
        List<SpawnSpec> specs = run.posix.spawned().stream().map(FakePosix.Spawned::spec).toList();

        assertEquals(List.of("/usr/sbin/virtlogd", "-f", SupervisorUnderTest.STATE_DIRECTORY + "/virtlogd.conf"),
                specs.get(0).argv());
        assertEquals(List.of("/usr/sbin/libvirtd", "-f", SupervisorUnderTest.STATE_DIRECTORY + "/libvirtd.conf",
                "--listen"), specs.get(1).argv());
    }

    @Test
    void outputOnStdoutAndStderrReachesTheTailLineByLineInOrder() {
        log = new LogCapture("daemon.libvirtd");
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        int[] pids = run.bootBoth();
        var child = run.posix.child(pids[1]);
        child.writeStdout("first li");
        child.writeStdout("ne\nsecond\n");
        child.writeStderr("2026-01-01 00:00:00.000+0000: 1234: error : third\n");
        child.writeStdout("fourth\n");

        Eventually.until(() -> run.supervisor.tail(Daemon.LIBVIRTD).last(10).size() == 4,
                () -> "four lines in libvirtd's tail: " + run.supervisor.tail(Daemon.LIBVIRTD).last(10));
        assertEquals(List.of("first line", "second", "2026-01-01 00:00:00.000+0000: 1234: error : third", "fourth"),
                run.supervisor.tail(Daemon.LIBVIRTD).last(10));
        assertEquals(List.of(), run.supervisor.tail(Daemon.VIRTLOGD).last(10), "each daemon has its own tail");
        Eventually.until(() -> log.leveled().size() == 4, () -> "four lines logged: " + log.leveled());
        assertEquals(List.of("INFO first line", "INFO second",
                "ERROR 2026-01-01 00:00:00.000+0000: 1234: error : third", "INFO fourth"), log.leveled(),
                "under logger daemon.libvirtd, at the level libvirt gave the line");
    }

    @Test
    void libvirtdKilledBySigkillIsRespawnedAtOnceAndItsLastLinesAreLogged() {
        log = new LogCapture("virtsup");
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        int[] pids = run.bootBoth();
        run.posix.child(pids[1]).writeStdout("cannot open /dev/kvm\nthe last words\n");
        Eventually.until(() -> run.supervisor.tail(Daemon.LIBVIRTD).last(1).equals(List.of("the last words")),
                () -> "libvirtd's lines in its tail");

        run.posix.die(pids[1], 9);
        int respawned = run.posix.awaitSpawned(3, WAIT).pid();
        DaemonState libvirtd = run.state(Daemon.LIBVIRTD);

        assertNotEquals(pids[1], respawned);
        assertEquals("/usr/sbin/libvirtd", run.posix.spawned().get(2).spec().path());
        assertEquals(respawned, libvirtd.pid());
        assertEquals(1, libvirtd.restarts());
        assertEquals(Optional.of(new Termination.Killed(9, false)), libvirtd.lastExit().map(DaemonState.LastExit::termination));
        assertEquals("killed by signal 9 (SIGKILL)", libvirtd.lastExit().orElseThrow().termination().describe());
        assertEquals(pids[0], run.state(Daemon.VIRTLOGD).pid(), "virtlogd is left alone");
        assertTrue(log.messages().stream().anyMatch(m -> m.contains("pid " + pids[1])
                        && m.contains("killed by signal 9 (SIGKILL)")
                        && m.contains("cannot open /dev/kvm") && m.contains("the last words")),
                "the death is logged with the daemon's last lines: " + log.messages());
    }

    @Test
    void theLastLinesAreLoggedEvenWhenTheDeathIsReapedBeforeTheOutputIsRead() {
        log = new LogCapture("virtsup");
        FakePosix posix = bothDaemons();
        SupervisorUnderTest run = start(posix, BOTH);
        int[] pids = run.bootBoth();
        posix.holdReads(); // the output pump lags behind the reaper
        long waitsBefore = waits(run);

        posix.child(pids[1]).writeStdout("error : cannot initialize the QEMU driver\n");
        posix.exit(pids[1], 0); // as libvirtd does when its QEMU driver cannot start
        Eventually.until(() -> !posix.isZombie(pids[1]) && waits(run) > waitsBefore, () -> "libvirtd reaped");
        run.onLoop(() -> null); // the loop has seen the reaper's report
        posix.releaseReads();

        posix.awaitSpawned(3, WAIT);
        Eventually.until(() -> log.messages().stream().anyMatch(m -> m.contains("pid " + pids[1])
                        && m.contains("exited with code 0") && m.contains("cannot initialize the QEMU driver")),
                () -> "libvirtd's death logged with its last line: " + log.messages());
        assertEquals(1, run.state(Daemon.LIBVIRTD).restarts());
    }

    @Test
    void anExitWaitsForTheOutputNoLongerThanTheGrace() {
        FakePosix posix = bothDaemons();
        SupervisorUnderTest run = start(posix, BOTH);
        int[] pids = run.bootBoth();
        posix.holdReads(); // as if a process libvirtd started kept its output pipe open
        long waitsBefore = waits(run);

        posix.exit(pids[1], 1);
        Eventually.until(() -> !posix.isZombie(pids[1]) && waits(run) > waitsBefore, () -> "libvirtd reaped");
        run.onLoop(() -> null); // the loop has seen the reaper's report before the time moves
        run.advance(DaemonOutput.GRACE.minusMillis(1));
        assertEquals(pids[1], run.state(Daemon.LIBVIRTD).pid(), "its exit waits for the end of its output");

        run.advance(Duration.ofMillis(1));
        DaemonState libvirtd = run.state(Daemon.LIBVIRTD);
        assertEquals(Optional.of(new Termination.Exited(1)), libvirtd.lastExit().map(DaemonState.LastExit::termination));
        assertEquals(3, posix.spawned().size(), "respawned without waiting any longer");
        assertEquals(posix.spawned().get(2).pid(), libvirtd.pid());
        posix.releaseReads();
    }

    @Test
    void aReloadedConfigurationRestartsLibvirtdAndReExecutesVirtlogdInPlace() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        int[] pids = run.bootBoth();
        var policy = ConfigurationInForce.policyOf(run.configuration.supervisor());

        run.onLoop(() -> run.supervisor.feed(new Event.Reconfigured(policy,
                Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD), Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD))));

        assertEquals(List.of(10), run.posix.signalsSentTo(pids[0]), "virtlogd: SIGUSR1, same pid");
        assertEquals(List.of(15), run.posix.signalsSentTo(pids[1]), "libvirtd: SIGTERM, then a new process");
        int newLibvirtd = run.posix.awaitSpawned(3, WAIT).pid();
        assertEquals("/usr/sbin/libvirtd", run.posix.spawned().get(2).spec().path());
        run.ready(Daemon.VIRTLOGD);
        assertEquals(pids[0], run.state(Daemon.VIRTLOGD).pid());
        assertFalse(run.state(Daemon.VIRTLOGD).reexecPending());
        run.ready(Daemon.LIBVIRTD);
        assertEquals(newLibvirtd, run.state(Daemon.LIBVIRTD).pid());
        assertEquals(0, run.state(Daemon.LIBVIRTD).restarts(), "a reload is no failure");

        run.onLoop(() -> run.supervisor.feed(new Event.Reconfigured(policy,
                Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD), Set.of())));
        assertEquals(List.of(1), run.posix.signalsSentTo(newLibvirtd), "unchanged libvirtd.conf: SIGHUP");
        assertEquals(List.of(10), run.posix.signalsSentTo(pids[0]), "unchanged virtlogd.conf: nothing");
    }

    @Test
    void aReadyFromAProcessThatHasDiedSinceDoesNotMakeItsReplacementReady() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        int[] pids = run.bootBoth();
        run.posix.exit(pids[1], 0);
        int replacement = run.posix.awaitSpawned(3, WAIT).pid();
        run.awaitState(Daemon.LIBVIRTD, s -> s.pid() == replacement, "runs as " + replacement);

        // The old process's READY=1 was still on its way.
        run.onLoop(() -> {
            run.supervisor.ready(Daemon.LIBVIRTD, pids[1]);
            return null;
        });
        assertEquals(Phase.STARTING, run.state(Daemon.LIBVIRTD).phase());

        run.onLoop(() -> {
            run.supervisor.ready(Daemon.LIBVIRTD, replacement);
            return null;
        });
        assertEquals(Phase.RUNNING, run.state(Daemon.LIBVIRTD).phase());
    }

    @Test
    void anOrphansExitChangesNothing() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH.replace("(stop-timeout 1)", ""));
        int[] pids = run.bootBoth();
        // A guest's QEMU re-parented to virtsup: our child, but no daemon's.
        run.posix.addExecutable("/usr/bin/qemu-system-x86_64");
        int orphan = run.posix.spawn(new SpawnSpec("/usr/bin/qemu-system-x86_64", List.of("qemu-system-x86_64"),
                Map.of(), -1, -1, -1));
        DaemonState libvirtdBefore = run.state(Daemon.LIBVIRTD);
        DaemonState virtlogdBefore = run.state(Daemon.VIRTLOGD);
        long waitsBefore = waits(run);

        run.posix.exit(orphan, 0);
        // The reaper hands the exit to the loop before it waits again; the loop then runs it before our barrier.
        Eventually.until(() -> !run.posix.isZombie(orphan) && waits(run) > waitsBefore, () -> "the orphan reaped");

        assertEquals(libvirtdBefore, run.state(Daemon.LIBVIRTD));
        assertEquals(virtlogdBefore, run.state(Daemon.VIRTLOGD));
        assertEquals(3, run.posix.spawned().size(), "no daemon spawned again");
        assertEquals(List.of(), run.kills(), "nobody signalled");
        assertTrue(run.posix.isRunning(pids[0]) && run.posix.isRunning(pids[1]));
    }

    private static long waits(SupervisorUnderTest run) {
        return run.posix.calls().stream().filter("waitAny"::equals).count();
    }

    @Test
    void aMissingExecutableIsRetriedAtOnceThenAfterTheBackoffDelay() {
        FakePosix posix = new FakePosix().onSpawn("/usr/sbin/libvirtd", ChildBehaviour.daemon());
        SupervisorUnderTest run = start(posix, BOTH);
        run.boot();
        DaemonState virtlogd = run.state(Daemon.VIRTLOGD);

        assertEquals(Phase.BACKOFF, virtlogd.phase());
        assertTrue(virtlogd.problem().orElseThrow().contains("spawn /usr/sbin/virtlogd: ENOENT"),
                virtlogd.problem().toString());
        assertEquals(2, spawnAttempts(run, "/usr/sbin/virtlogd"), "the first failure is retried at once");
        assertEquals(List.of(0, 1, 2), posix.openDescriptors(), "a failed spawn closes both ends of its pipe");
        assertEquals(0, run.posix.spawned().size());
        assertEquals(Phase.STOPPED, run.state(Daemon.LIBVIRTD).phase(), "libvirtd waits for virtlogd");

        posix.onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon());
        run.advance(Duration.ofMillis(999));
        assertEquals(2, spawnAttempts(run, "/usr/sbin/virtlogd"), "no retry before the delay of 1 s");

        run.advance(Duration.ofMillis(1));
        assertEquals(3, spawnAttempts(run, "/usr/sbin/virtlogd"));
        assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase());
        assertEquals(run.posix.spawned().get(0).pid(), run.state(Daemon.VIRTLOGD).pid());
    }

    @Test
    void aSpawnThatFailsOtherwiseThanWithAnErrnoIsAFailedStartNotAStuckOne() {
        // SpawnSpec refuses a NUL byte; the seam may also fail without an errno (/proc/self/fd unreadable).
        FakePosix posix = bothDaemons();
        SupervisorUnderTest run = new SupervisorUnderTest(posix, BOTH, Map.of("LANG", "C\0"));
        this.run = run;
        run.boot();
        DaemonState virtlogd = run.state(Daemon.VIRTLOGD);

        assertEquals(Phase.BACKOFF, virtlogd.phase(), virtlogd.toString());
        assertTrue(virtlogd.problem().orElseThrow().contains("spawn /usr/sbin/virtlogd: invalid environment"),
                virtlogd.problem().toString());
        assertEquals(List.of(0, 1, 2), posix.openDescriptors(), "the pipe is closed again");
    }

    @Test
    void aDaemonNotReadyWithinStartTimeoutIsStoppedAndStartedAgain() {
        SupervisorUnderTest run = start(bothDaemons(), BOTH.replace("(stop-timeout 1)", "(start-timeout 5)"));
        run.boot();
        int first = run.posix.awaitSpawned(1, WAIT).pid();

        run.advance(Duration.ofMillis(4999));
        assertEquals(List.of(), run.posix.signalsSentTo(first), "still within start-timeout");
        run.advance(Duration.ofMillis(1));
        assertEquals(List.of(15), run.posix.signalsSentTo(first));

        int second = run.posix.awaitSpawned(2, WAIT).pid();
        DaemonState virtlogd = run.awaitState(Daemon.VIRTLOGD, s -> s.pid() == second, "runs as " + second);
        assertEquals("/usr/sbin/virtlogd", run.posix.spawned().get(1).spec().path(), "libvirtd still waits");
        assertEquals(1, virtlogd.restarts());
        assertEquals(Phase.STARTING, virtlogd.phase());
    }

    @Test
    void aDaemonThatFailsUpToTheRespawnLimitMakesVirtsupExitWithOneWhenExitOnFailureIsSet() throws Exception {
        FakePosix posix = new FakePosix().onSpawn("/usr/sbin/libvirtd", ChildBehaviour.daemon());
        SupervisorUnderTest run = start(posix, "(service virtlog-service-type)\n(service libvirt-service-type)\n"
                + "(supervisor-configuration (respawn-limit 2) (exit-on-failure? #t))\n");
        run.boot();

        assertEquals(1, run.exitCode.get(5, TimeUnit.SECONDS));
        assertEquals(2, spawnAttempts(run, "/usr/sbin/virtlogd"), "given up after respawn-limit failed starts");
        assertEquals(0, spawnAttempts(run, "/usr/sbin/libvirtd"));
        assertEquals(Phase.FAILED, run.supervisor.state().daemon(Daemon.VIRTLOGD).phase());
    }

    private static long spawnAttempts(SupervisorUnderTest run, String path) {
        return run.posix.calls().stream().filter(call -> call.startsWith("spawn " + path + " ")).count();
    }

    @Test
    void shutdownStopsLibvirtdThenVirtlogdAndExitsWithZero() throws Exception {
        FakePosix posix = new FakePosix()
                .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
                .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.ignoresTerm());
        SupervisorUnderTest run = start(posix, BOTH);
        int[] pids = run.bootBoth();

        run.onLoop(() -> run.supervisor.feed(new Event.Shutdown()));
        assertEquals(List.of("kill " + pids[1] + " SIGTERM"), run.kills(), "libvirtd first, virtlogd untouched");
        assertFalse(run.exitCode.isDone());

        posix.exit(pids[1], 0);
        assertEquals(0, run.exitCode.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("kill " + pids[1] + " SIGTERM", "kill " + pids[0] + " SIGTERM"), run.kills());
        assertOnlyDaemonsSignalled(run, pids);
        assertEquals(List.of(), posix.runningChildren());
    }

    @Test
    void aDaemonIgnoringTermGetsKillAfterTheStopTimeout() throws Exception {
        FakePosix posix = new FakePosix()
                .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
                .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.ignoresTerm());
        SupervisorUnderTest run = start(posix, BOTH);
        int[] pids = run.bootBoth();

        run.onLoop(() -> run.supervisor.feed(new Event.Shutdown()));
        run.advance(Duration.ofMillis(999));
        assertEquals(List.of(15), posix.signalsSentTo(pids[1]), "no SIGKILL before stop-timeout (1 s)");

        run.advance(Duration.ofMillis(1));
        assertEquals(List.of(15, 9), posix.signalsSentTo(pids[1]));
        assertEquals(0, run.exitCode.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(15), posix.signalsSentTo(pids[0]), "virtlogd is stopped after libvirtd died");
        // The loop has ended with the exit; what it left is published by the exit code's completion.
        assertEquals(Optional.of(new Termination.Killed(9, false)),
                run.supervisor.state().daemon(Daemon.LIBVIRTD).lastExit().map(DaemonState.LastExit::termination));
        assertOnlyDaemonsSignalled(run, pids);
    }

    private static void assertOnlyDaemonsSignalled(SupervisorUnderTest run, int[] pids) {
        Set<Integer> daemons = Set.of(pids[0], pids[1]);
        for (String kill : run.kills()) {
            int pid = Integer.parseInt(kill.split(" ")[1]);
            assertTrue(pid > 0 && daemons.contains(pid), "signals go to a daemon's own pid only: " + kill);
        }
    }

    @Test
    void esrchFromADaemonThatJustDiedIsNoError() {
        log = new LogCapture("virtsup");
        SupervisorUnderTest run = start(bothDaemons(), BOTH);
        int[] pids = run.bootBoth();

        // All inside one loop task, so that the reaper's report of the death waits behind the stop.
        Optional<String> refused = run.onLoop(() -> {
            run.posix.exit(pids[1], 1);
            Eventually.until(() -> !run.posix.isRunning(pids[1]) && !run.posix.isZombie(pids[1]),
                    () -> "libvirtd reaped");
            return run.supervisor.feed(new Event.Stop(Daemon.LIBVIRTD));
        });

        assertEquals(Optional.empty(), refused);
        assertEquals(List.of("kill " + pids[1] + " SIGTERM"), run.kills(), "the kill was tried and met ESRCH");
        DaemonState libvirtd = run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.STOPPED, "stopped");
        assertEquals(Optional.of(new Termination.Exited(1)), libvirtd.lastExit().map(DaemonState.LastExit::termination));
        assertEquals(2, run.posix.spawned().size(), "a stopped daemon is not respawned");
        assertTrue(log.messages().stream().noneMatch(m -> m.contains("cannot send")),
                "ESRCH is not reported as an error: " + log.messages());
    }
}

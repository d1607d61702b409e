package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Action;
import org.virtsup.supervise.Completion;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Signal;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.TimerKind;

/**
 * The real executor ({@link SupervisionExecutor} on an {@link EventLoop} over a strict
 * {@link FakePosix}, its output pumps on real threads) driven through thousands
 * of random runs (fixed seeds: a failure replays) of what can happen: operator
 * commands (some abandoned by their client), readiness (true and spurious),
 * deaths, refused spawns, unexpected failures of its collaborators, foreign
 * exits, reloads, time passing, shutdown. This test is the loop: it runs the
 * queued tasks and due timers itself, one turn at a time, and reaps as the
 * reaper would.
 *
 * <p>The invariants, checked after every turn and every transition:
 * <ol>
 * <li>One process per daemon: every unreaped child running a daemon's program
 *     is that daemon's current pid, and a daemon's pid is an unreaped child of ours.</li>
 * <li>A timer for every waiting state: STARTING (with a pid) has its start
 *     timeout, BACKOFF its backoff, STOPPING its stop or kill timeout (or SIGKILL
 *     was sent); the executor holds exactly the timer the state names; no daemon
 *     stays STARTING without a pid once a turn is over.</li>
 * <li>No signal to a pid we did not start, nor to one already reaped.</li>
 * <li>Start and stop order: libvirtd is spawned only while virtlogd (when wanted)
 *     runs; at shutdown virtlogd is told to stop only once libvirtd is down
 *     (a start timeout stops a virtlogd that never got ready, as at any time).</li>
 * <li>Observers see each transition once, in order, never two at a time.</li>
 * <li>Every command gets one verdict at most, none once abandoned; after the
 *     exit nothing is spawned or signalled.</li>
 * </ol>
 */
class RandomExecutorTest {
    private static final String CONFIGURATION = "(service virtlog-service-type)\n"
            + "(service libvirt-service-type)\n";
    private static final Policy[] POLICIES = {
        Policy.defaults(),
        new Policy(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(20), 3, false),
        new Policy(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(20), 2, true),
    };
    private static final Map<Daemon, String> PROGRAMS = Map.of(
            Daemon.VIRTLOGD, "/usr/sbin/virtlogd", Daemon.LIBVIRTD, "/usr/sbin/libvirtd");

    private final Set<String> seen = new TreeSet<>();

    @Test
    void invariantsHoldOverThousandsOfRandomRunsOfTheRealExecutor() {
        // -Dvirtsup.executorRuns=50000 for a deeper search.
        int runs = Integer.getInteger("virtsup.executorRuns", 2000);
        Logger virtsup = (Logger) LoggerFactory.getLogger("virtsup");
        Logger daemons = (Logger) LoggerFactory.getLogger("daemon");
        Level before = virtsup.getLevel();
        virtsup.setLevel(Level.OFF); // thousands of runs of deaths and refusals: the journal would drown the build
        daemons.setLevel(Level.OFF);
        long turns = 0;
        long started = System.nanoTime();
        try {
            for (int seed = 0; seed < runs; seed++) {
                try {
                    // Scrambled: the first draws of Randoms seeded 0, 1, 2... hardly differ.
                    Random random = new Random(seed * 0x9E3779B97F4A7C15L);
                    turns += new Run(random, POLICIES[seed % POLICIES.length]).go(120);
                } catch (AssertionError e) {
                    throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
                }
            }
        } finally {
            virtsup.setLevel(before);
            daemons.setLevel(null);
        }
        System.out.printf("virtsup-benchmark: random executor runs=%d turns=%d took_ms=%d%n", runs, turns,
                (System.nanoTime() - started) / 1_000_000);
        Set<String> expected = new TreeSet<>();
        for (Daemon daemon : Daemon.values()) {
            for (Phase phase : Phase.values()) {
                expected.add(daemon + " " + phase);
            }
            expected.add(daemon + " SIGKILL");
        }
        expected.addAll(List.of("Exit 0", "Exit 1", "Done", "Failed", "abandoned", "spawn refused",
                "observer threw", "program threw", "foreign exit"));
        expected.removeAll(seen);
        assertEquals(Set.of(), expected, "never reached");
    }

    /** One random run: its own fake host, loop, time and executor. */
    private final class Run {
        private final Random random;
        private final Policy policy;
        private final FakePosix posix = new FakePosix();
        private final FakeTime time = new FakeTime();
        private final EventLoop loop = new EventLoop(time::nanoTime);
        private final Configuration configuration = ExecutorUnderTest.configuration(CONFIGURATION);
        private final SupervisionExecutor executor;
        private final Set<Integer> reaped = new HashSet<>();
        /** Failures seen inside the executor's callbacks, which it survives by design: reported after the turn. */
        private final List<AssertionError> failures = new ArrayList<>();
        private final List<Runnable> pendingForgets = new ArrayList<>();
        private Supervision lastSeen;
        private Optional<Integer> exitCode = Optional.empty();
        private int callsChecked;
        private boolean observerFails;
        private boolean programFails;

        Run(Random random, Policy policy) {
            this.random = random;
            this.policy = policy;
            posix.onSpawn(PROGRAMS.get(Daemon.VIRTLOGD), random.nextBoolean()
                    ? ChildBehaviour.daemon() : ChildBehaviour.ignoresTerm());
            posix.onSpawn(PROGRAMS.get(Daemon.LIBVIRTD), random.nextInt(4) == 0
                    ? ChildBehaviour.ignoresTerm() : ChildBehaviour.daemon());
            Supervision initial = Supervision.initial(policy, randomSupervised());
            lastSeen = initial;
            executor = new SupervisionExecutor(posix, loop, time, initial, this::program, new Watcher(), code -> {
                assertTrue(exitCode.isEmpty(), "a second exit");
                exitCode = Optional.of(code);
                seen.add("Exit " + code);
            }, new GuestProcesses(Path.of("/nonexistent/proc"), Path.of("/nonexistent/run/libvirt/qemu")));
        }

        int go(int length) {
            loop.post(() -> executor.feed(new Event.Boot()));
            turn();
            int turns = 1;
            for (; turns < length && exitCode.isEmpty(); turns++) {
                act();
                turn();
            }
            // The end: everything stops in order and virtsup exits.
            loop.post(() -> executor.feed(new Event.Shutdown()));
            for (int i = 0; i < 20 && exitCode.isEmpty(); i++, turns++) {
                time.advance(Duration.ofSeconds(30));
                turn();
            }
            assertTrue(exitCode.isPresent(), "no exit after shutdown: " + executor.state());
            int spawnsAtExit = posix.spawned().size();
            time.advance(Duration.ofMinutes(5));
            turn();
            assertEquals(spawnsAtExit, posix.spawned().size(), "spawned after the exit");
            assertEquals(List.of(), unreapedChildren(), "exited with daemons still running");
            return turns;
        }

        private void act() {
            Daemon daemon = Daemon.values()[random.nextInt(2)];
            observerFails = random.nextInt(40) == 0;
            programFails = random.nextInt(30) == 0;
            switch (random.nextInt(12)) {
                case 0, 1 -> command(daemon);
                case 2 -> loop.post(() -> executor.ready(daemon));
                case 3 -> {
                    int pid = random.nextBoolean() ? executor.state().daemon(daemon).pid() : 1 + random.nextInt(1100);
                    loop.post(() -> executor.ready(daemon, pid));
                }
                case 4 -> kill(daemon);
                case 5, 6 -> time.advance(Duration.ofMillis(random.nextInt(random.nextBoolean() ? 3000 : 40000)));
                case 7 -> loop.post(() -> executor.feed(new Event.Reconfigured(policy, randomSupervised(),
                        random.nextBoolean() ? EnumSet.of(daemon) : EnumSet.noneOf(Daemon.class))));
                case 8 -> {
                    // A daemon's program made unexecutable (or executable again) under it.
                    boolean refuse = random.nextBoolean();
                    if (refuse) {
                        seen.add("spawn refused");
                    }
                    posix.chmod(PROGRAMS.get(daemon), refuse ? 0644 : 0755);
                }
                case 9 -> {
                    seen.add("foreign exit");
                    int foreign = 1 + random.nextInt(900); // below the fake's first child pid: never ours
                    loop.post(() -> executor.reaped(new ChildExit(foreign, new ExitStatus.Exited(0))));
                }
                case 10 -> {
                    if (!pendingForgets.isEmpty()) {
                        seen.add("abandoned");
                        loop.post(pendingForgets.remove(random.nextInt(pendingForgets.size())));
                    }
                }
                default -> {
                    if (random.nextInt(8) == 0) {
                        loop.post(() -> executor.feed(new Event.Shutdown()));
                    }
                }
            }
        }

        private void command(Daemon daemon) {
            Event command = switch (random.nextInt(5)) {
                case 0 -> new Event.Start(daemon);
                case 1 -> new Event.Stop(daemon);
                case 2 -> new Event.Restart(daemon);
                case 3 -> new Event.Reload(daemon);
                default -> new Event.Forward(daemon, random.nextBoolean() ? Signal.HUP : Signal.KILL);
            };
            boolean[] answered = {false, false}; // answered, abandoned
            loop.post(() -> {
                Runnable forget = executor.command(command, verdict -> noted(() -> {
                    assertTrue(!answered[0], "a second verdict for " + command);
                    assertTrue(!answered[1], "a verdict for an abandoned " + command);
                    answered[0] = true;
                    seen.add(verdict.getClass().getSimpleName());
                    assertTrue(!(verdict instanceof Completion.Verdict.Pending), "a pending verdict delivered");
                }));
                if (!answered[0]) {
                    pendingForgets.add(() -> noted(() -> {
                        int waiting = executor.waiting();
                        forget.run();
                        assertEquals(waiting - (answered[0] ? 0 : 1), executor.waiting(),
                                "an abandoned command still waits");
                        answered[1] = true;
                    }));
                }
            });
        }

        /** Kills one of the daemon's processes, as the OOM killer or an operator would. */
        private void kill(Daemon daemon) {
            int pid = executor.state().daemon(daemon).pid();
            if (pid != DaemonState.NO_PID && posix.isRunning(pid)) {
                if (random.nextBoolean()) {
                    posix.die(pid, 9);
                } else {
                    posix.exit(pid, random.nextInt(3));
                }
            }
        }

        private DaemonProgram program(Daemon daemon) {
            if (programFails) {
                programFails = false;
                seen.add("program threw");
                throw new IllegalStateException("a bug while building " + daemon + "'s command line");
            }
            Path file = Path.of(ExecutorUnderTest.STATE_DIRECTORY, daemon.programName() + ".conf");
            return daemon == Daemon.VIRTLOGD
                    ? DaemonProgram.virtlogd(configuration.virtlog().orElseThrow(), configuration.prefix(), file,
                            null, Map.of())
                    : DaemonProgram.libvirtd(configuration.libvirt().orElseThrow(), configuration.supervisor(), file,
                            null, Map.of());
        }

        /** One turn of the loop: everything queued and due, each exit reaped and handled; then the checks. */
        private void turn() {
            Set<Integer> reapedBefore = Set.copyOf(reaped);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                loop.runPending();
                boolean reapedOne = reapZombies();
                if (!reapedOne && !executor.exitAwaitsOutput()) {
                    break;
                }
                if (!reapedOne) {
                    // The pump thread is reading the dead daemon's last lines; its end comes through the loop.
                    assertTrue(System.nanoTime() < deadline, "an exit waited over 10 s for its output");
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            checkSignals(reapedBefore);
            checkDaemons();
        }

        private void noted(Runnable check) {
            try {
                check.run();
            } catch (AssertionError e) {
                failures.add(e);
            }
        }

        private boolean reapZombies() {
            boolean any = false;
            for (FakePosix.Spawned spawned : posix.spawned()) {
                if (posix.isZombie(spawned.pid())) {
                    ChildExit exit = posix.waitAny();
                    reaped.add(exit.pid());
                    loop.post(() -> executor.reaped(exit));
                    any = true;
                }
            }
            return any;
        }

        private List<Integer> unreapedChildren() {
            return posix.spawned().stream().map(FakePosix.Spawned::pid).filter(pid -> !reaped.contains(pid)).toList();
        }

        private void checkSignals(Set<Integer> reapedBefore) {
            List<String> calls = posix.calls();
            Set<Integer> ours = new HashSet<>();
            posix.spawned().forEach(s -> ours.add(s.pid()));
            for (String call : calls.subList(callsChecked, calls.size())) {
                if (call.startsWith("kill ")) {
                    int pid = Integer.parseInt(call.split(" ")[1]);
                    assertTrue(ours.contains(pid), "signal to a pid we did not start: " + call);
                    assertTrue(!reapedBefore.contains(pid), "signal to a pid already reaped: " + call);
                    if (call.endsWith("SIGKILL")) {
                        posix.spawned().stream().filter(s -> s.pid() == pid).findFirst()
                                .ifPresent(s -> seen.add(daemonOf(s) + " SIGKILL"));
                    }
                }
            }
            callsChecked = calls.size();
        }

        private void checkDaemons() {
            Supervision state = executor.state();
            for (Daemon daemon : Daemon.values()) {
                DaemonState d = state.daemon(daemon);
                String where = daemon + " " + d + " after a turn";
                seen.add(daemon + " " + d.phase());
                List<Integer> processes = posix.spawned().stream()
                        .filter(s -> daemonOf(s) == daemon && !reaped.contains(s.pid()))
                        .map(FakePosix.Spawned::pid).toList();
                assertTrue(processes.size() <= 1, "two processes of " + daemon + ": " + processes + "; " + where);
                if (d.hasPid()) {
                    assertEquals(List.of(d.pid()), processes, "its pid is not its one live process: " + where);
                } else {
                    assertEquals(List.of(), processes, "a process the state does not know: " + where);
                }
                Optional<TimerKind> armed = executor.armedTimer(daemon).map(Action.ArmTimer::kind);
                assertEquals(d.timer().map(DaemonState.ArmedTimer::generation),
                        executor.armedTimer(daemon).map(Action.ArmTimer::generation),
                        "the executor's timer is not the one the state names: " + where);
                switch (d.phase()) {
                    case STARTING -> {
                        assertTrue(d.hasPid(), "STARTING without a pid after the turn: " + where);
                        assertEquals(Optional.of(TimerKind.START_TIMEOUT), armed, where);
                    }
                    case BACKOFF -> assertEquals(Optional.of(TimerKind.BACKOFF), armed, where);
                    case STOPPING -> assertTrue(armed.isPresent()
                            || posix.signalsSentTo(d.pid()).contains(9), "STOPPING with no timer nor KILL: " + where);
                    default -> assertEquals(Optional.empty(), armed, where);
                }
            }
            if (exitCode.isPresent()) {
                assertEquals(Supervision.Stage.EXITED, state.stage());
            }
        }

        private static Daemon daemonOf(FakePosix.Spawned spawned) {
            return spawned.spec().path().equals(PROGRAMS.get(Daemon.VIRTLOGD)) ? Daemon.VIRTLOGD : Daemon.LIBVIRTD;
        }

        private Set<Daemon> randomSupervised() {
            return switch (random.nextInt(4)) {
                case 0 -> EnumSet.of(Daemon.LIBVIRTD);
                case 1 -> EnumSet.of(Daemon.VIRTLOGD);
                default -> EnumSet.allOf(Daemon.class);
            };
        }

        /** Checks each transition as it happens; fails now and then, as a buggy observer would. */
        private final class Watcher implements SupervisionExecutor.Observer {
            @Override
            public void readyReported(Supervision supervision) {}

            @Override
            public void stopping(Supervision supervision) {}

            @Override
            public void stepped(Supervision before, Supervision after) {
                noted(() -> check(before, after));
                if (observerFails) {
                    observerFails = false;
                    seen.add("observer threw");
                    throw new IllegalStateException("a bug in an observer");
                }
            }

            private void check(Supervision before, Supervision after) {
                assertEquals(lastSeen, before, "the observer missed a transition or saw two overlap");
                lastSeen = after;
                DaemonState virtlogd = after.daemon(Daemon.VIRTLOGD);
                DaemonState wasLibvirtd = before.daemon(Daemon.LIBVIRTD);
                DaemonState libvirtd = after.daemon(Daemon.LIBVIRTD);
                if (libvirtd.phase() == Phase.STARTING && !libvirtd.hasPid()
                        && (wasLibvirtd.phase() != Phase.STARTING || wasLibvirtd.hasPid())) {
                    assertTrue(after.mayStart(Daemon.LIBVIRTD), "libvirtd spawned before virtlogd runs: " + after);
                    if (virtlogd.supervised() && virtlogd.goal() == org.virtsup.supervise.Goal.UP) {
                        // Unreaped: a death the reaper has not reported yet is news the executor cannot have.
                        assertTrue(virtlogd.hasPid() && !reaped.contains(virtlogd.pid()),
                                "libvirtd spawned with no virtlogd process: " + after);
                    }
                }
                boolean shuttingDown = after.stage() != Supervision.Stage.SUPERVISING
                        && after.stage() != Supervision.Stage.NEW;
                // A start timeout stops a virtlogd that never got ready whatever libvirtd does, as it
                // would outside shutdown; the order is that of the stops shutdown itself sends.
                if (shuttingDown && virtlogd.phase() == Phase.STOPPING
                        && virtlogd.stopCause() == DaemonState.StopCause.REQUESTED
                        && before.daemon(Daemon.VIRTLOGD).phase() != Phase.STOPPING) {
                    assertTrue(libvirtd.phase().atRest(), "virtlogd stopped before libvirtd at shutdown: " + after);
                }
            }
        }
    }
}

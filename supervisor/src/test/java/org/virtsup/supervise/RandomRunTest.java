package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Long random runs (fixed seeds, so a failure replays) of everything that can
 * happen, checking after every step the promises the executor relies on: one
 * process per daemon at a time, signals only to a daemon's current pid,
 * libvirtd never spawned while virtlogd is wanted but not ready, timers that
 * match the phase, and nothing after the exit. This is the pure core's
 * contract, step by step, with a model of the executor around it;
 * {@code org.virtsup.run.RandomExecutorTest} drives the real executor.
 */
class RandomRunTest {
    private static final Policy[] POLICIES = {
        Policy.defaults(),
        new Policy(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(20), 3, false),
        new Policy(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ofSeconds(20), 2, true),
    };

    private record Pending(Daemon daemon, TimerKind kind, long generation, Instant due) {}

    /** What the runs went through, so that the test also shows it reached every corner. */
    private final Set<String> seen = new java.util.TreeSet<>();

    @Test
    void invariantsHoldOverRandomRuns() {
        // -Dvirtsup.randomRuns=100000 for a deeper search; the default keeps the build quick.
        int runs = Integer.getInteger("virtsup.randomRuns", 300);
        for (int seed = 0; seed < runs; seed++) {
            try {
                run(new Random(seed), POLICIES[seed % POLICIES.length]);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        Set<String> expected = new java.util.TreeSet<>();
        for (Daemon daemon : Daemon.values()) {
            for (Phase phase : Phase.values()) {
                expected.add(daemon + " " + phase);
            }
            for (Signal signal : List.of(Signal.TERM, Signal.KILL, Signal.USR1, Signal.HUP)) {
                expected.add(daemon + " " + signal.fullName());
            }
        }
        expected.remove("libvirtd SIGUSR1"); // only forwarded at random, not guaranteed
        expected.addAll(List.of("Exit 0", "Exit 1", "ReportReady", "Rejected"));
        expected.removeAll(seen);
        assertEquals(Set.of(), expected, "never reached");
    }

    private void run(Random random, Policy policy) {
        Set<Daemon> supervised = randomSupervised(random);
        Supervision supervision = Supervision.initial(policy, supervised);
        Instant now = Rows.T0;
        List<Pending> timers = new ArrayList<>();
        Deque<Event> immediate = new ArrayDeque<>();
        int nextPid = 100;
        boolean exited = false;
        immediate.add(new Event.Boot());

        for (int i = 0; i < 400; i++) {
            Event event;
            if (!immediate.isEmpty()) {
                event = immediate.poll();
            } else {
                // Timers due now are posted before other news, as a loop would run them.
                timers.sort((a, b) -> a.due().compareTo(b.due()));
                if (!timers.isEmpty() && random.nextInt(3) == 0) {
                    Pending timer = timers.remove(0);
                    if (timer.due().isAfter(now)) {
                        now = timer.due();
                    }
                    event = new Event.TimerFired(timer.daemon(), timer.kind(), timer.generation());
                } else {
                    now = now.plusMillis(random.nextInt(3000));
                    event = randomEvent(random, supervision, policy);
                }
            }

            Supervision before = supervision;
            Step step = supervision.on(event, now);
            supervision = step.supervision();
            check(before, event, step, exited);
            for (DaemonState state : supervision.daemons().values()) {
                seen.add(state.daemon() + " " + state.phase());
            }

            for (Action action : step.actions()) {
                if (action instanceof Action.Spawn spawn) {
                    immediate.addFirst(random.nextInt(8) == 0
                            ? new Event.SpawnFailed(spawn.daemon(), "spawn /usr/sbin/" + spawn.daemon() + ": ENOENT")
                            : new Event.Spawned(spawn.daemon(), nextPid++));
                } else if (action instanceof Action.ArmTimer arm) {
                    timers.add(new Pending(arm.daemon(), arm.kind(), arm.generation(), now.plus(arm.delay())));
                } else if (action instanceof Action.CancelTimer cancel && random.nextBoolean()) {
                    // Dropping a cancelled timer is optional: keep some to see them fire stale.
                    timers.removeIf(t -> t.daemon() == cancel.daemon() && t.generation() == cancel.generation());
                } else if (action instanceof Action.Exit exit) {
                    exited = true;
                    seen.add("Exit " + exit.code());
                } else if (action instanceof Action.SendSignal signal) {
                    seen.add(signal.daemon() + " " + signal.signal().fullName());
                } else if (action instanceof Action.ReportReady || action instanceof Action.Rejected) {
                    seen.add(action.getClass().getSimpleName());
                }
            }
        }
    }

    private static Set<Daemon> randomSupervised(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return EnumSet.of(Daemon.LIBVIRTD);
            case 1:
                return EnumSet.of(Daemon.VIRTLOGD);
            default:
                return EnumSet.allOf(Daemon.class);
        }
    }

    private static Event randomEvent(Random random, Supervision supervision, Policy policy) {
        Daemon daemon = Daemon.values()[random.nextInt(2)];
        DaemonState state = supervision.daemon(daemon);
        int pid = state.hasPid() ? state.pid() : 1 + random.nextInt(300);
        switch (random.nextInt(16)) {
            case 0:
                return new Event.Start(daemon);
            case 1:
                return new Event.Stop(daemon);
            case 2:
                return new Event.Restart(daemon);
            case 3:
                return new Event.Reload(daemon);
            case 4:
                return new Event.Forward(daemon, new Signal(1 + random.nextInt(org.virtsup.posix.Signals.MAX)));
            case 5:
                return random.nextInt(6) == 0 ? new Event.Shutdown() : new Event.Ready(daemon, pid);
            case 6:
                return new Event.Reconfigured(policy, randomSupervised(random),
                        random.nextBoolean() ? EnumSet.of(daemon) : EnumSet.noneOf(Daemon.class));
            case 7:
                return new Event.Exited(1 + random.nextInt(300), new Termination.Exited(random.nextInt(3)));
            case 8:
                return new Event.TimerFired(daemon, TimerKind.values()[random.nextInt(TimerKind.values().length)],
                        random.nextInt(5));
            default:
                return random.nextBoolean()
                        ? new Event.Ready(daemon, pid)
                        : new Event.Exited(pid, random.nextBoolean()
                                ? new Termination.Exited(1) : new Termination.Killed(9, false));
        }
    }

    private static void check(Supervision before, Event event, Step step, boolean exitedBefore) {
        Supervision after = step.supervision();
        String context = event + " -> " + step.actions();
        if (exitedBefore) {
            assertEquals(before, after, "state changed after the exit: " + context);
            for (Action action : step.actions()) {
                assertTrue(action instanceof Action.Log log && log.level() == Action.Log.Level.DEBUG,
                        "action after the exit: " + context);
            }
            return;
        }
        int exits = 0;
        for (Action action : step.actions()) {
            if (action instanceof Action.SendSignal signal) {
                int current = before.daemon(signal.daemon()).pid();
                int spawned = event instanceof Event.Spawned s && s.daemon() == signal.daemon() ? s.pid() : -1;
                assertTrue(signal.pid() == current || signal.pid() == spawned,
                        "signal to a pid that is not " + signal.daemon() + "'s: " + context);
            } else if (action instanceof Action.Spawn spawn) {
                DaemonState was = before.daemon(spawn.daemon());
                boolean live = was.phase() == Phase.RUNNING || was.phase() == Phase.STOPPING
                        || (was.phase() == Phase.STARTING && was.hasPid());
                boolean diedNow = event instanceof Event.Exited exit && exit.pid() == was.pid();
                assertTrue(!live || diedNow, "second process of " + spawn.daemon() + ": " + context);
                if (spawn.daemon() == Daemon.LIBVIRTD) {
                    assertTrue(after.mayStart(Daemon.LIBVIRTD), "libvirtd spawned before virtlogd is ready: " + context);
                }
            } else if (action instanceof Action.Exit exit) {
                exits++;
                for (DaemonState state : after.daemons().values()) {
                    assertTrue(state.phase().atRest(), "exit with " + state.daemon() + " " + state.phase());
                }
                assertEquals(Supervision.Stage.EXITED, after.stage());
            } else if (action instanceof Action.Rejected) {
                assertTrue(event instanceof Event.Start || event instanceof Event.Stop || event instanceof Event.Restart
                        || event instanceof Event.Reload || event instanceof Event.Forward
                        || event instanceof Event.Reconfigured || event instanceof Event.Boot,
                        "a refusal of something no operator asked: " + context);
            }
        }
        assertTrue(exits <= 1, "more than one exit: " + context);
        EnumSet<Daemon> spawnedAlready = EnumSet.noneOf(Daemon.class);
        for (Action action : step.actions()) {
            Daemon concerned = action instanceof Action.Spawn a ? a.daemon()
                    : action instanceof Action.SendSignal a ? a.daemon()
                    : action instanceof Action.ArmTimer a ? a.daemon()
                    : action instanceof Action.CancelTimer a ? a.daemon() : null;
            if (concerned != null) {
                assertFalse(spawnedAlready.contains(concerned),
                        "an action for " + concerned + " after its Spawn: " + context);
            }
            if (action instanceof Action.Spawn spawn) {
                spawnedAlready.add(spawn.daemon());
            }
        }
        for (DaemonState state : after.daemons().values()) {
            checkState(state, after.policy(), context);
        }
    }

    private static void checkState(DaemonState state, Policy policy, String context) {
        String where = state.daemon() + " " + state.phase() + " after " + context;
        TimerKind timer = state.timer().map(DaemonState.ArmedTimer::kind).orElse(null);
        switch (state.phase()) {
            case STOPPED:
            case FAILED:
                assertFalse(state.hasPid(), where);
                assertEquals(null, timer, where);
                break;
            case BACKOFF:
                assertFalse(state.hasPid(), where);
                assertEquals(TimerKind.BACKOFF, timer, where);
                break;
            case STARTING:
                assertEquals(state.hasPid() ? TimerKind.START_TIMEOUT : null, timer, where);
                break;
            case RUNNING:
                assertTrue(state.hasPid(), where);
                assertEquals(null, timer, where);
                assertTrue(state.readyAt().isPresent(), where);
                break;
            case STOPPING:
                assertTrue(state.hasPid(), where);
                assertTrue(timer == null || timer == TimerKind.STOP_TIMEOUT || timer == TimerKind.KILL_TIMEOUT, where);
                break;
            default:
                fail(where);
        }
        if (policy.respawnLimit() > 0 && !state.phase().atRest()) {
            assertTrue(state.consecutiveFailures() < policy.respawnLimit(), "failures over the limit: " + where);
        }
        if (!state.supervised() && state.goal() == Goal.UP) {
            // a daemon dropped from the configuration is never wanted up
            fail("unsupervised but wanted up: " + where);
        }
    }
}

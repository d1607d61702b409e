package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Carries out actions the way the real executor must, against a clock the test
 * moves: spawns hand out pids (or fail on request) and are answered at once,
 * timers fire when the clock passes them, signals are only recorded (the test
 * decides when a process exits).
 */
final class FakeExecutor {
    private record PendingTimer(TimerKind kind, long generation, Instant due) {}

    Supervision supervision;
    Instant now = Rows.T0;
    private int nextPid = 100;
    private final Map<Daemon, PendingTimer> timers = new EnumMap<>(Daemon.class);
    private final Map<Daemon, Deque<String>> spawnFailures = new EnumMap<>(Daemon.class);
    /** Every action carried out, in order. */
    final List<Action> journal = new ArrayList<>();

    FakeExecutor(Policy policy, Set<Daemon> supervised) {
        supervision = Supervision.initial(policy, supervised);
    }

    FakeExecutor(Set<Daemon> supervised) {
        this(Policy.defaults(), supervised);
    }

    static FakeExecutor both() {
        return new FakeExecutor(Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD));
    }

    /** Feeds the event, carries out its actions, and returns them (with those of spawn results fed back). */
    List<Action> feed(Event event) {
        Step step = supervision.on(event, now);
        supervision = step.supervision();
        List<Action> done = new ArrayList<>();
        for (Action action : step.actions()) {
            done.add(action);
            journal.add(action);
            if (action instanceof Action.Spawn spawn) {
                Deque<String> failures = spawnFailures.get(spawn.daemon());
                if (failures != null && !failures.isEmpty()) {
                    done.addAll(feed(new Event.SpawnFailed(spawn.daemon(), failures.poll())));
                } else {
                    done.addAll(feed(new Event.Spawned(spawn.daemon(), nextPid++)));
                }
            } else if (action instanceof Action.ArmTimer arm) {
                timers.put(arm.daemon(), new PendingTimer(arm.kind(), arm.generation(), now.plus(arm.delay())));
            } else if (action instanceof Action.CancelTimer cancel) {
                PendingTimer pending = timers.get(cancel.daemon());
                if (pending != null && pending.generation() == cancel.generation()) {
                    timers.remove(cancel.daemon());
                }
            }
        }
        return done;
    }

    /** Moves the clock, firing the timers that fall due on the way, in order; returns what they did. */
    List<Action> advance(Duration duration) {
        Instant target = now.plus(duration);
        List<Action> done = new ArrayList<>();
        while (true) {
            Optional<Map.Entry<Daemon, PendingTimer>> due = timers.entrySet().stream()
                    .filter(e -> !e.getValue().due().isAfter(target))
                    .min(Map.Entry.comparingByValue((a, b) -> a.due().compareTo(b.due())));
            if (due.isEmpty()) {
                break;
            }
            Daemon daemon = due.get().getKey();
            PendingTimer timer = due.get().getValue();
            timers.remove(daemon);
            now = timer.due();
            done.addAll(feed(new Event.TimerFired(daemon, timer.kind(), timer.generation())));
        }
        now = target;
        return done;
    }

    /** The next spawns of {@code daemon} fail with these reasons. */
    void failSpawns(Daemon daemon, String... reasons) {
        spawnFailures.computeIfAbsent(daemon, d -> new ArrayDeque<>()).addAll(List.of(reasons));
    }

    Optional<Instant> timerDue(Daemon daemon) {
        return Optional.ofNullable(timers.get(daemon)).map(PendingTimer::due);
    }

    DaemonState state(Daemon daemon) {
        return supervision.daemon(daemon);
    }

    int pid(Daemon daemon) {
        return state(daemon).pid();
    }

    List<Action> boot() {
        return feed(new Event.Boot());
    }

    List<Action> ready(Daemon daemon) {
        return feed(new Event.Ready(daemon, pid(daemon)));
    }

    List<Action> exits(Daemon daemon, Termination termination) {
        return feed(new Event.Exited(pid(daemon), termination));
    }

    /** Boots both and makes both ready. */
    void bootBothReady() {
        boot();
        ready(Daemon.VIRTLOGD);
        ready(Daemon.LIBVIRTD);
    }

    static List<Action.SendSignal> signals(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.SendSignal).map(a -> (Action.SendSignal) a)
                .collect(Collectors.toList());
    }

    static List<Daemon> spawns(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.Spawn).map(a -> ((Action.Spawn) a).daemon())
                .collect(Collectors.toList());
    }

    static <T extends Action> List<T> only(Class<T> type, List<Action> actions) {
        return actions.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    static List<String> messages(List<Action> actions) {
        return only(Action.Log.class, actions).stream().map(Action.Log::message).collect(Collectors.toList());
    }
}

package org.virtsup.supervise;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reaches each phase of one daemon through the table itself, so that rows start
 * from states the table really produces (timers, generations and counters
 * included).
 */
final class Rows {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    final Daemon daemon;
    final Policy policy;

    Rows(Daemon daemon, Policy policy) {
        this.daemon = daemon;
        this.policy = policy;
    }

    Lifecycle.Transition step(DaemonState state, Lifecycle.Input input) {
        return step(state, input, T0);
    }

    Lifecycle.Transition step(DaemonState state, Lifecycle.Input input, Instant now) {
        return Lifecycle.next(state, input, policy, true, now);
    }

    Lifecycle.Transition blocked(DaemonState state, Lifecycle.Input input) {
        return Lifecycle.next(state, input, policy, false, T0);
    }

    DaemonState stopped() {
        return DaemonState.initial(daemon, true);
    }

    /** Spawn asked for, pid not known yet. */
    DaemonState spawning() {
        return step(stopped(), new Lifecycle.Start()).state();
    }

    DaemonState starting(int pid) {
        return step(spawning(), new Lifecycle.Spawned(pid)).state();
    }

    DaemonState running(int pid) {
        return step(starting(pid), new Lifecycle.Ready(pid), T0.plusSeconds(1)).state();
    }

    DaemonState stopping(int pid) {
        return step(running(pid), new Lifecycle.Stop(), T0.plusSeconds(2)).state();
    }

    /** Two quick deaths: the second one waits 1 s. */
    DaemonState backoff() {
        DaemonState first = step(starting(100), new Lifecycle.Exited(100, new Termination.Exited(1))).state();
        DaemonState again = step(first, new Lifecycle.Spawned(101)).state();
        return step(again, new Lifecycle.Exited(101, new Termination.Exited(1))).state();
    }

    static List<Action> effects(Lifecycle.Transition transition) {
        return transition.actions().stream().filter(a -> !(a instanceof Action.Log)).collect(Collectors.toList());
    }

    static List<String> logs(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.Log)
                .map(a -> ((Action.Log) a).level() + " " + ((Action.Log) a).message())
                .collect(Collectors.toList());
    }

    static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}

package org.virtsup.posix;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What a program started in a {@link FakePosix} does. Callbacks run inside the
 * fake, under its lock: they may call the {@link FakeChild}'s methods (exit,
 * write, ...) but must not block. To make a child exit later, call
 * {@link FakePosix#exit(int, int)} from the test.
 */
public interface ChildBehaviour {

    /** Right after the child exists, before spawn returns its pid. */
    default void started(FakeChild child) {}

    /**
     * A signal reached the running child. The default is the kernel's default
     * action. SIGKILL never gets here: it always kills.
     */
    default void signalled(FakeChild child, int signal) {
        child.takeDefaultAction(signal);
    }

    /** Does {@code action} on start (e.g. announce readiness), then runs until signalled. */
    static ChildBehaviour onStart(Consumer<FakeChild> action) {
        return new ChildBehaviour() {
            @Override
            public void started(FakeChild child) {
                action.accept(child);
            }
        };
    }

    /**
     * The n-th start of the program behaves as the n-th of {@code turns}, the
     * last one for every later start: e.g. crash twice, then stay up.
     */
    static ChildBehaviour inTurn(ChildBehaviour... turns) {
        List<ChildBehaviour> inOrder = List.of(turns);
        if (inOrder.isEmpty()) {
            throw new IllegalArgumentException("inTurn needs at least one behaviour");
        }
        AtomicInteger starts = new AtomicInteger();
        Map<Integer, ChildBehaviour> byPid = new ConcurrentHashMap<>();
        return new ChildBehaviour() {
            @Override
            public void started(FakeChild child) {
                ChildBehaviour turn = inOrder.get(Math.min(starts.getAndIncrement(), inOrder.size() - 1));
                byPid.put(child.pid(), turn);
                turn.started(child);
            }

            @Override
            public void signalled(FakeChild child, int signal) {
                byPid.get(child.pid()).signalled(child, signal);
            }
        };
    }

    /** Runs until a signal ends it (default dispositions everywhere), like {@code sleep}. */
    static ChildBehaviour runsUntilSignalled() {
        return new ChildBehaviour() {};
    }

    /** Exits with {@code code} as soon as it starts. */
    static ChildBehaviour exitsWith(int code) {
        return new ChildBehaviour() {
            @Override
            public void started(FakeChild child) {
                child.exit(code);
            }
        };
    }

    /** Writes {@code text} (UTF-8) to its stdout, then exits with 0. */
    static ChildBehaviour prints(String text) {
        return new ChildBehaviour() {
            @Override
            public void started(FakeChild child) {
                child.writeStdout(text);
                child.exit(0);
            }
        };
    }

    /** Ignores SIGTERM (only SIGKILL ends it): for testing the escalation to KILL. */
    static ChildBehaviour ignoresTerm() {
        return new ChildBehaviour() {
            @Override
            public void signalled(FakeChild child, int signal) {
                if (signal != Signals.TERM) {
                    child.takeDefaultAction(signal);
                }
            }
        };
    }

    /**
     * Like libvirtd and virtlogd: catches TERM and INT and exits with 0, survives
     * HUP (reload) and USR1 (virtlogd re-executes itself in place, same pid).
     */
    static ChildBehaviour daemon() {
        return new ChildBehaviour() {
            @Override
            public void signalled(FakeChild child, int signal) {
                switch (signal) {
                    case Signals.TERM, Signals.INT -> child.exit(0);
                    case Signals.HUP, Signals.USR1 -> { }
                    default -> child.takeDefaultAction(signal);
                }
            }
        };
    }
}

package org.virtsup.run;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Posix;
import org.virtsup.supervise.Daemon;

/**
 * The daemons' own output: one pump thread per process carrying its lines
 * into the log and the daemon's {@link OutputTail}, and the hand-over of each
 * exit once the process's last lines are read. The reaper may learn of a death
 * before the pump has read those lines, and they are what tells why it died;
 * an exit waits for them, at most {@link #GRACE} (a process the daemon started
 * may keep the pipe open). Everything but the pumps runs on the event loop.
 */
final class DaemonOutput {
    /** How long a daemon's exit waits for the end of its output. */
    static final Duration GRACE = Duration.ofMillis(500);
    /** Lines kept per daemon. */
    private static final int KEPT = 200;

    private record PendingExit(ChildExit exit, EventLoop.Timer grace) {}

    private final Posix posix;
    private final EventLoop loop;
    private final Consumer<ChildExit> onExit;
    private final Map<Daemon, OutputTail> tails = new EnumMap<>(Daemon.class);
    /** Pids whose output pump has not reached the end of the pipe yet. */
    private final Set<Integer> open = new HashSet<>();
    private final Map<Integer, PendingExit> pendingExits = new HashMap<>();

    DaemonOutput(Posix posix, EventLoop loop, Consumer<ChildExit> onExit) {
        this.posix = posix;
        this.loop = loop;
        this.onExit = onExit;
        for (Daemon daemon : Daemon.values()) {
            tails.put(daemon, new OutputTail(KEPT));
        }
    }

    OutputTail tail(Daemon daemon) {
        return tails.get(daemon);
    }

    /** Starts carrying {@code pid}'s output from {@code readFd}, which the pump closes at its end. */
    void follow(Daemon daemon, int pid, int readFd) {
        open.add(pid);
        Thread pump = new Thread(new OutputPump(buffer -> posix.read(readFd, buffer),
                LoggerFactory.getLogger("daemon." + daemon.programName()), tails.get(daemon),
                () -> {
                    try {
                        posix.close(readFd);
                    } finally {
                        loop.post(() -> ended(pid));
                    }
                }), "virtsup-output-" + daemon.programName() + "-" + pid);
        pump.setDaemon(true);
        pump.start();
    }

    /** The reaper collected {@code exit}: handed on now, or once its output ended. */
    void reaped(ChildExit exit) {
        if (!open.contains(exit.pid())) {
            onExit.accept(exit);
            return;
        }
        pendingExits.put(exit.pid(), new PendingExit(exit, loop.schedule(GRACE, () -> {
            PendingExit pending = pendingExits.remove(exit.pid());
            if (pending != null) {
                onExit.accept(pending.exit());
            }
        })));
    }

    /** Whether an exit waits for the end of its daemon's output. */
    boolean exitAwaitsOutput() {
        return !pendingExits.isEmpty();
    }

    private void ended(int pid) {
        open.remove(pid);
        PendingExit pending = pendingExits.remove(pid);
        if (pending != null) {
            pending.grace().cancel();
            onExit.accept(pending.exit());
        }
    }
}

package org.virtsup.run;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;

/**
 * The daemons' own output: one pump thread per process carrying its lines
 * into the log and the daemon's {@link OutputTail}, and the hand-over of each
 * exit once the process's last lines are read. The reaper may learn of a death
 * before the pump has read those lines, and they are what tells why it died;
 * an exit waits for them, at most {@link #GRACE}.
 *
 * <p>A process the daemon started may keep the writing end open after the
 * daemon is gone. Once the exit was handed on after the grace, the reading
 * end is shut down: the pump sees the end, its thread ends and the descriptor
 * is closed, instead of a thread and a descriptor left behind at every
 * restart. Everything but the pumps runs on the event loop, the closing of the
 * descriptors included, so that no shutdown meets a reused number.
 */
final class DaemonOutput {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** How long a daemon's exit waits for the end of its output. */
    static final Duration GRACE = Duration.ofMillis(500);
    /** Lines kept per daemon. */
    private static final int KEPT = 200;

    private record PendingExit(ChildExit exit, EventLoop.Timer grace) {}

    private final Posix posix;
    private final EventLoop loop;
    private final Consumer<ChildExit> onExit;
    private final Map<Daemon, OutputTail> tails = new EnumMap<>(Daemon.class);
    /** The reading end of each pid whose pump has not reached its end yet. */
    private final Map<Integer, Integer> open = new HashMap<>();
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

    /** Starts carrying {@code pid}'s output from {@code readFd}, closed here once the pump reached its end. */
    void follow(Daemon daemon, int pid, int readFd) {
        open.put(pid, readFd);
        Thread pump = new Thread(OutputPump.of(daemon, pid, new OutputPump(buffer -> posix.read(readFd, buffer),
                LoggerFactory.getLogger("daemon." + daemon.programName()), tails.get(daemon),
                () -> loop.post(() -> ended(pid)))), "virtsup-output-" + daemon.programName() + "-" + pid);
        pump.setDaemon(true);
        pump.start();
    }

    /** The reading end of {@code pid}'s output, while its pump has not reached its end. */
    java.util.OptionalInt readingEnd(int pid) {
        Integer fd = open.get(pid);
        return fd == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(fd);
    }

    /** The reaper collected {@code exit}: handed on now, or once its output ended. */
    void reaped(ChildExit exit) {
        if (!open.containsKey(exit.pid())) {
            onExit.accept(exit);
            return;
        }
        pendingExits.put(exit.pid(), new PendingExit(exit, loop.schedule(GRACE, () -> {
            PendingExit pending = pendingExits.remove(exit.pid());
            if (pending != null) {
                onExit.accept(pending.exit());
                abandon(exit.pid());
            }
        })));
    }

    /** How many processes' output is still being read. */
    int reading() {
        return open.size();
    }

    private void abandon(int pid) {
        Integer fd = open.get(pid);
        if (fd == null) {
            return;
        }
        log.warn("a process started by pid {} still holds its output {} ms after it ended; virtsup stops reading"
                + " it (its further writes fail)", pid, GRACE.toMillis());
        try {
            posix.shutdownRead(fd);
        } catch (PosixException e) {
            log.warn("cannot shut the output of pid {} down: {}", pid, e.getMessage());
        }
    }

    /** Whether an exit waits for the end of its daemon's output. */
    boolean exitAwaitsOutput() {
        return !pendingExits.isEmpty();
    }

    private void ended(int pid) {
        Integer fd = open.remove(pid);
        if (fd != null) {
            try {
                posix.close(fd);
            } catch (PosixException e) {
                log.warn("cannot close the output of pid {}: {}", pid, e.getMessage());
            }
        }
        PendingExit pending = pendingExits.remove(pid);
        if (pending != null) {
            pending.grace().cancel();
            onExit.accept(pending.exit());
        }
    }
}

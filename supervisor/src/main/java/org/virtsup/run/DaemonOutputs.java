package org.virtsup.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;

/**
 * The daemons' output: one {@link OutputPump} thread per live daemon process,
 * reading a socket pair whose write end is the daemon's stdout and stderr, and
 * each daemon's exit held back until its output has ended, since the last
 * lines tell why it died.
 *
 * <p>A process the daemon started may keep the write end open after the
 * daemon is gone. Once the exit was handled and {@link #GRACE} passed, the
 * read end is shut down: the pump sees the end, its thread ends and the
 * descriptor is closed, instead of a thread and a descriptor left behind at
 * every restart. Used on the event loop's thread only; pumps reach it by
 * posting.
 */
final class DaemonOutputs {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /**
     * How long a daemon's exit waits for the end of its output. The pump sees the
     * end as soon as the daemon is gone, unless a process it started kept it open.
     */
    static final Duration GRACE = Duration.ofMillis(500);

    private record PendingExit(ChildExit exit, EventLoop.Timer grace) {}

    private final Posix posix;
    private final EventLoop loop;
    private final Consumer<ChildExit> handleExit;
    /** The read end of each pid whose pump has not reached the end yet; closed here, on the loop. */
    private final Map<Integer, Integer> open = new HashMap<>();
    /** Exits reaped before their output ended: handled at its end, or after {@link #GRACE}. */
    private final Map<Integer, PendingExit> pendingExits = new HashMap<>();

    DaemonOutputs(Posix posix, EventLoop loop, Consumer<ChildExit> handleExit) {
        this.posix = posix;
        this.loop = loop;
        this.handleExit = handleExit;
    }

    /** A channel for the next daemon's stdout and stderr (one, so that their lines keep their order). */
    Pipe open() {
        return posix.socketPair();
    }

    /** The daemon {@code pid} was spawned with {@code output}'s write end: reading starts. */
    void start(Daemon daemon, int pid, Pipe output, OutputTail tail) {
        posix.close(output.writeFd());
        int readFd = output.readFd();
        open.put(pid, readFd);
        Thread pump = new Thread(new OutputPump(buffer -> posix.read(readFd, buffer),
                LoggerFactory.getLogger("daemon." + daemon.programName()), tail,
                () -> loop.post(() -> ended(pid))), "virtsup-output-" + daemon.programName() + "-" + pid);
        pump.setDaemon(true);
        pump.start();
    }

    /** A child's exit, as the reaper reported it. */
    void reaped(ChildExit exit) {
        if (!open.containsKey(exit.pid())) {
            handleExit.accept(exit);
            return;
        }
        pendingExits.put(exit.pid(), new PendingExit(exit, loop.schedule(GRACE, () -> {
            PendingExit pending = pendingExits.remove(exit.pid());
            if (pending != null) {
                handleExit.accept(pending.exit());
                abandon(exit.pid());
            }
        })));
    }

    /** How many daemon processes' output is still being read. */
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

    /** The pump is done. The descriptor is closed here, on the loop, so no shutdown meets a reused number. */
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
            handleExit.accept(pending.exit());
        }
    }
}

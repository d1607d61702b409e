package org.virtsup.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.Errno;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.SpawnSpec;

/**
 * The one thread that collects every child's exit: blocked in
 * {@code waitpid(-1)}, it learns of a death as soon as the kernel reports it and
 * never polls. It reaps every child — the daemons, and as PID 1 or subreaper
 * also orphans and guests re-parented to virtsup — and hands each exit to the
 * event loop, which tells the daemons' exits from the rest by pid.
 *
 * <p>With no child at all, waitpid fails at once with ECHILD; the reaper then
 * sleeps until {@link #childSpawned()} says there is something to wait for.
 *
 * <p>{@link #stop()} ends the thread at shutdown, once the daemons are gone:
 * left running, it would go on taking exits that nobody handles any more.
 */
public final class Reaper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final Posix posix;
    private final Consumer<ChildExit> onExit;
    private final Semaphore children = new Semaphore(0);
    /** Children that are not daemons (a re-exec's check), each with who waits for its exit. */
    private final Map<Integer, Consumer<ChildExit>> awaited = new HashMap<>();
    private volatile boolean stopping;
    private volatile Thread thread;

    public Reaper(Posix posix, Consumer<ChildExit> onExit) {
        this.posix = posix;
        this.onExit = onExit;
    }

    /** Starts the reaper on a daemon thread of its own. */
    public Thread start() {
        Thread started = new Thread(this, "virtsup-reaper");
        started.setDaemon(true);
        thread = started;
        started.start();
        return started;
    }

    /**
     * Ends the reaper thread and waits up to {@code patience} for it. It ends at
     * once when it sleeps for want of children, as it does once every daemon
     * has ended; a thread still blocked in waitpid (a re-parented orphan lives
     * on) ends with the next exit, which it still reports. Returns whether the
     * thread has ended.
     */
    public boolean stop(Duration patience) {
        stopping = true;
        children.release();
        Thread running = thread;
        if (running == null) {
            return true;
        }
        try {
            running.join(Math.max(1, patience.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.isAlive()) {
            log.debug("the reaper still waits in waitpid: a child other than the daemons lives on");
            return false;
        }
        return true;
    }

    /** Call after every spawn: there is now a child to wait for. */
    public void childSpawned() {
        children.release();
    }

    /**
     * Call on SIGCHLD: a child changed state. With no daemon running the reaper
     * sleeps, but orphans re-parented to virtsup (as PID 1 or subreaper) still
     * end, and must be reaped then, not at the next spawn.
     */
    public void childChanged() {
        children.release();
    }

    /**
     * Spawns a child that is not a daemon and hands its exit to {@code onExit}
     * (on the reaper's thread) instead of supervision. The spawn and the
     * registration are one under the lock the reaper takes before it looks up
     * an exit: a child that ends at once is still found.
     */
    public int spawnAwaited(SpawnSpec spec, Consumer<ChildExit> onExit) {
        int pid;
        synchronized (awaited) {
            pid = posix.spawn(spec);
            awaited.put(pid, onExit);
        }
        children.release();
        return pid;
    }

    @Override
    public void run() {
        while (!stopping) {
            try {
                ChildExit exit = posix.waitAny();
                Consumer<ChildExit> waiting;
                synchronized (awaited) {
                    waiting = awaited.remove(exit.pid());
                }
                (waiting != null ? waiting : onExit).accept(exit);
            } catch (PosixException e) {
                if (e.errno() != Errno.ECHILD) {
                    log.error("waitpid failed: {}; reaping goes on", e.getMessage());
                }
                try {
                    children.acquire();
                    children.drainPermits();
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }
}

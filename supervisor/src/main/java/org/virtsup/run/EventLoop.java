package org.virtsup.run;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns all supervision state. Other threads (the reaper,
 * signal handlers, control connections, readiness listeners) only {@link #post}
 * tasks to it; timers are kept by the loop itself. While nothing happens the
 * thread is blocked in the queue: no periodic wake-ups.
 */
public final class EventLoop {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** A timer that can be cancelled before it fires; cancelling after is harmless. */
    public interface Timer {
        void cancel();
    }

    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final PriorityQueue<Scheduled> timers = new PriorityQueue<>();
    private final LongSupplier nanoClock;
    private volatile Thread thread;
    private volatile boolean running;
    private long sequence;

    public EventLoop() {
        this(System::nanoTime);
    }

    EventLoop(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Queues {@code task} to run on the loop thread; safe from any thread. */
    public void post(Runnable task) {
        tasks.add(task);
    }

    /** Runs {@code task} on the loop thread after {@code delay}. Call from the loop thread. */
    public Timer schedule(Duration delay, Runnable task) {
        assertOnLoop();
        Scheduled timer = new Scheduled(nanoClock.getAsLong() + Math.max(0, delay.toNanos()), sequence++, task);
        timers.add(timer);
        return timer;
    }

    /** Runs the loop on the calling thread until {@link #stop()}. */
    public void run() {
        thread = Thread.currentThread();
        running = true;
        while (running) {
            Runnable next;
            try {
                next = nextTask();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next != null) {
                runGuarded(next);
            }
        }
    }

    /**
     * Runs every task queued and every timer due now, on the calling thread,
     * without waiting: a test's way of being the loop, one deterministic turn
     * at a time. Not for a loop that {@link #run}s.
     */
    void runPending() {
        Runnable next;
        while ((next = pollNow()) != null) {
            runGuarded(next);
        }
    }

    private Runnable pollNow() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        if (!timers.isEmpty() && timers.peek().deadline - nanoClock.getAsLong() <= 0) {
            return timers.poll().task;
        }
        return tasks.poll();
    }

    /**
     * The loop's task boundary: whatever one task throws (a bug, a stack
     * overflow in a reload), it is logged and the loop goes on with the state
     * the task left, which the core only ever replaces whole. Only a JVM that
     * cannot go on (out of memory, an internal error) ends it.
     */
    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
            log.error("internal error in the event loop ({}); supervision goes on", task, e);
        }
    }

    /** Ends {@link #run()} after the task that is running; safe from any thread. */
    public void stop() {
        post(() -> running = false);
    }

    private Runnable nextTask() throws InterruptedException {
        // A due timer goes before queued tasks: under a steady stream of tasks (status
        // probes, say) a stop-timeout's SIGKILL would otherwise wait for a quiet moment.
        Runnable ready = pollNow();
        if (ready != null) {
            return ready;
        }
        if (timers.isEmpty()) {
            return tasks.take();
        }
        long wait = timers.peek().deadline - nanoClock.getAsLong();
        if (wait > 0) {
            Runnable task = tasks.poll(wait, TimeUnit.NANOSECONDS);
            if (task != null) {
                return task;
            }
            if (timers.peek().deadline - nanoClock.getAsLong() > 0) {
                return null;
            }
        }
        Scheduled due = timers.poll();
        return due.cancelled ? null : due.task;
    }

    private void assertOnLoop() {
        if (thread != null && Thread.currentThread() != thread) {
            throw new IllegalStateException("timers belong to the event loop thread; post a task instead");
        }
    }

    private static final class Scheduled implements Timer, Comparable<Scheduled> {
        final long deadline;
        final long order;
        final Runnable task;
        volatile boolean cancelled;

        Scheduled(long deadline, long order, Runnable task) {
            this.deadline = deadline;
            this.order = order;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Scheduled other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(order, other.order);
        }
    }
}

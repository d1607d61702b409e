package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTest {
    private static Thread start(EventLoop loop) {
        Thread thread = new Thread(loop::run, "test-loop");
        thread.start();
        return thread;
    }

    @Test
    void runsPostedTasksInOrderOnItsOwnThread() throws Exception {
        EventLoop loop = new EventLoop();
        Thread thread = start(loop);
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            int n = i;
            loop.post(() -> seen.add(n + (Thread.currentThread() == thread ? "" : "!")));
        }
        loop.post(done::countDown);
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("0", "1", "2", "3", "4"), seen);
        loop.stop();
        thread.join(5000);
        assertTrue(!thread.isAlive());
    }

    @Test
    void timersFireInDeadlineOrderAndCancelledOnesDoNot() throws Exception {
        EventLoop loop = new EventLoop();
        Thread thread = start(loop);
        List<String> fired = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.post(() -> {
            loop.schedule(Duration.ofMillis(60), () -> fired.add("late"));
            loop.schedule(Duration.ofMillis(20), () -> fired.add("early"));
            EventLoop.Timer cancelled = loop.schedule(Duration.ofMillis(40), () -> fired.add("cancelled"));
            cancelled.cancel();
            loop.schedule(Duration.ofMillis(80), done::countDown);
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("early", "late"), fired);
        loop.stop();
        thread.join(5000);
    }

    @Test
    void aFailingTaskDoesNotStopTheLoop() throws Exception {
        EventLoop loop = new EventLoop();
        Thread thread = start(loop);
        CountDownLatch after = new CountDownLatch(1);
        loop.post(() -> {
            throw new IllegalStateException("boom");
        });
        loop.post(after::countDown);
        assertTrue(after.await(5, TimeUnit.SECONDS));
        loop.stop();
        thread.join(5000);
    }

    @Test
    void timersAreOnlyArmedFromTheLoop() throws Exception {
        EventLoop loop = new EventLoop();
        Thread thread = start(loop);
        CountDownLatch running = new CountDownLatch(1);
        loop.post(running::countDown);
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> loop.schedule(Duration.ZERO, () -> { }));
        loop.stop();
        thread.join(5000);
    }
}

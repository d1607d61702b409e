package org.virtsup.run;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLoopFairnessTest {
    @Test
    void aDueTimerFiresEvenWhileTasksKeepComing() throws Exception {
        FakeTime time = new FakeTime();
        EventLoop loop = new EventLoop(time::nanoTime);
        Thread thread = new Thread(loop::run, "test-loop");
        thread.setDaemon(true);
        thread.start();
        AtomicBoolean fired = new AtomicBoolean();
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong tasksRun = new AtomicLong();
        // A stop-timeout's SIGKILL must not wait for a quiet moment: status probes may never give one.
        loop.post(() -> loop.schedule(Duration.ofMillis(10), () -> fired.set(true)));
        Runnable flood = new Runnable() {
            @Override
            public void run() {
                tasksRun.incrementAndGet();
                if (flooding.get()) {
                    loop.post(this);
                }
            }
        };
        loop.post(flood);
        Eventually.until(() -> tasksRun.get() > 100, () -> "the flood runs");

        time.advance(Duration.ofMillis(10));
        try {
            Eventually.until(fired::get, () -> "the timer fired while the loop had tasks queued");
        } finally {
            flooding.set(false);
            loop.stop();
            thread.join(5000);
        }
    }
}

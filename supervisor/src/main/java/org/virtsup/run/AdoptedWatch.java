package org.virtsup.run;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Posix;

/**
 * Watches adopted daemons, which are not virtsup's children (waitpid never
 * reports them), through their pidfds: one thread each waits for its pidfd
 * to become readable and reports the pid once, then closes the pidfd.
 */
final class AdoptedWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** How often a waiting thread looks whether virtsup is closing. */
    private static final int POLL_MILLIS = 500;

    private final Posix posix;
    private final IntConsumer ended;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /** @param ended told the pid of each adopted daemon that ended, on the watching thread */
    AdoptedWatch(Posix posix, IntConsumer ended) {
        this.posix = posix;
        this.ended = ended;
    }

    void watch(AdoptedDaemon adopted) {
        Thread thread = new Thread(() -> await(adopted), "virtsup-adopted-" + adopted.daemon());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void await(AdoptedDaemon adopted) {
        try {
            while (!closed) {
                if (posix.awaitPidfd(adopted.pidfd(), POLL_MILLIS)) {
                    ended.accept(adopted.pid());
                    return;
                }
            }
        } catch (RuntimeException e) { // PosixException included
            log.error("cannot watch the adopted {} (pid {}) any more: {}; its end will not be noticed", adopted.daemon(),
                    adopted.pid(), e.getMessage());
        } finally {
            posix.close(adopted.pidfd());
        }
    }

    /** Ends the watching threads (within one poll), closing their pidfds. */
    @Override
    public void close() {
        closed = true;
        for (Thread thread : threads) {
            try {
                thread.join(2 * POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

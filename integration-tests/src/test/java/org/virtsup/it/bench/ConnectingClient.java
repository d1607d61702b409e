package org.virtsup.it.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that connects to a daemon's socket every 2 ms (a blocking
 * connect, then close, as libvirt's clients connect) until closed, and counts
 * the connects that failed: refused (nobody listens) or no socket file.
 */
final class ConnectingClient {
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(2);

    private final UnixDomainSocketAddress address;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    ConnectingClient(Path socket) {
        this.address = UnixDomainSocketAddress.of(socket);
        this.thread = new Thread(this::run, "connecting-client");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            attempts.incrementAndGet();
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(address);
            } catch (IOException refusedOrMissing) {
                failed.incrementAndGet();
            }
            LockSupport.parkNanos(INTERVAL);
        }
    }

    long attempts() {
        return attempts.get();
    }

    long failed() {
        return failed.get();
    }

    /** Stops connecting; the counts are final once this returns. */
    void stop() {
        stopped = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

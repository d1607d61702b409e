package org.virtsup.notify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the init system how virtsup is doing (sd_notify): one datagram per
 * call to the socket named by {@code NOTIFY_SOCKET}; without it, every call
 * does nothing, so callers need no test.
 *
 * <p>The unit runs with {@code NotifyAccess=main}: the datagrams must come from
 * virtsup's own pid, which they do since this JVM is the process systemd
 * started (the launcher execs java).
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final Notifier DISABLED = new Notifier(Optional.empty(), null);

    private final Optional<NotifyAddress> address;
    private final UnixDatagramChannel channel;
    private boolean warned;

    private Notifier(Optional<NotifyAddress> address, UnixDatagramChannel channel) {
        this.address = address;
        this.channel = channel;
    }

    /**
     * A notifier for {@code NOTIFY_SOCKET} in {@code environment}, or one that does
     * nothing when it is unset or of a kind this does not speak (newer systemd
     * also offers {@code vsock:} addresses): a warning then says so, and
     * supervision goes on.
     */
    public static Notifier fromEnvironment(Map<String, String> environment) throws IOException {
        String value = environment.get("NOTIFY_SOCKET");
        if (value == null || value.isEmpty()) {
            return DISABLED;
        }
        NotifyAddress address;
        try {
            address = new NotifyAddress(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("not notifying the init system: {}", e.getMessage());
            return DISABLED;
        }
        return to(address);
    }

    public static Notifier to(NotifyAddress address) throws IOException {
        return new Notifier(Optional.of(address), UnixDatagramChannel.open());
    }

    public static Notifier disabled() {
        return DISABLED;
    }

    public boolean enabled() {
        return address.isPresent();
    }

    /** Start-up finished: both daemons are ready. */
    public void ready(long mainPid) {
        send("READY=1\nMAINPID=" + mainPid);
    }

    /** One line for {@code systemctl status}. */
    public void status(String text) {
        send("STATUS=" + text.replace('\n', ' '));
    }

    /**
     * A reload began; {@link #ready} (or {@link #readyAfterReload}) ends it. The
     * MONOTONIC_USEC field is what systemd 253 and later require for
     * Type=notify-reload; other versions ignore it.
     */
    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicroseconds());
    }

    /** A reload finished. */
    public void readyAfterReload(String statusText) {
        send("READY=1\nSTATUS=" + statusText.replace('\n', ' '));
    }

    /**
     * Asks for more time than TimeoutStartSec/TimeoutStopSec gives, counted from
     * now: for a start or stop that legitimately takes longer (a raised
     * start-timeout). Repeat it before the extension runs out.
     */
    public void extendTimeout(Duration extension) {
        send("EXTEND_TIMEOUT_USEC=" + extension.toNanos() / 1_000L);
    }

    public void stopping() {
        send("STOPPING=1");
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    /**
     * CLOCK_MONOTONIC in microseconds: HotSpot on Linux implements nanoTime()
     * with clock_gettime(CLOCK_MONOTONIC), the clock systemd compares against.
     */
    static long monotonicMicroseconds() {
        return System.nanoTime() / 1_000L;
    }

    /**
     * Sends one message of {@code KEY=VALUE} lines. A failure is logged once and
     * otherwise ignored: the init system being away must not stop supervision.
     */
    public synchronized void send(String message) {
        if (address.isEmpty()) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), address.get().socketAddress());
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("cannot notify the init system at NOTIFY_SOCKET={}: {}", address.get(), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing the notify channel: {}", e.getMessage());
            }
        }
    }
}

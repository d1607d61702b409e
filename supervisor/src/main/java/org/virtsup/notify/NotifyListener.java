package org.virtsup.notify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.virtsup.posix.CredentialReceiver;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of sd_notify for one supervised daemon: a private datagram
 * socket whose path the daemon gets as {@code NOTIFY_SOCKET}, and a thread that
 * hands every datagram, parsed, to a callback (which posts it to the event loop).
 *
 * <p>The sender is known twice over. The socket is the daemon's alone (one per
 * daemon, in a root-only directory). And the kernel names the sending pid:
 * SO_PASSCRED is set on the socket and datagrams are read with recvmsg(2)
 * ({@link CredentialReceiver}), whose SCM_CREDENTIALS message fills
 * {@link NotifyMessage#senderPid()}; jnr-unixsocket's own receive() uses
 * recvfrom(2), which cannot carry it. The event loop can so accept READY=1
 * from the daemon's pid only, as systemd's NotifyAccess=main does. Should the
 * native calls be unavailable, messages arrive without a pid.
 */
public final class NotifyListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyListener.class);
    /** systemd's own limit for one notification. */
    private static final int MAX_DATAGRAM = 4096;
    private static final String WAKE = "X-VIRTSUP-LISTENER-CLOSING=1";

    private final String daemon;
    private final Path path;
    private final UnixDatagramChannel channel;
    private final Consumer<NotifyMessage> onMessage;
    private final Thread thread;
    /** Set when the kernel passes credentials: datagrams are then read with recvmsg. */
    private final CredentialReceiver credentials;
    private volatile boolean closing;

    private NotifyListener(String daemon, Path path, UnixDatagramChannel channel, Consumer<NotifyMessage> onMessage,
                           CredentialReceiver credentials) {
        this.daemon = daemon;
        this.path = path;
        this.channel = channel;
        this.onMessage = onMessage;
        this.credentials = credentials;
        this.thread = new Thread(this::receiveLoop, "virtsup-notify-" + daemon);
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code path} (a leftover file there is replaced: the state directory
     * is ours) with mode 0600 and starts delivering messages to {@code onMessage},
     * on the listener's own thread.
     *
     * @param daemon for the thread's name and log lines
     */
    public static NotifyListener start(String daemon, Path path, Consumer<NotifyMessage> onMessage)
            throws IOException {
        if (path.toString().length() > 107) {
            throw new IOException("notify socket path " + path + " is longer than 107 bytes:"
                    + " choose a shorter state-directory");
        }
        Files.deleteIfExists(path);
        UnixDatagramChannel channel = UnixDatagramChannel.open();
        try {
            channel.bind(new UnixSocketAddress(path.toFile()));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind the notify socket " + path + " for " + daemon + ": "
                    + e.getMessage(), e);
        }
        NotifyListener listener = new NotifyListener(daemon, path, channel, onMessage, passCredentials(channel, daemon));
        listener.thread.start();
        return listener;
    }

    /** The value to give the daemon as {@code NOTIFY_SOCKET}. */
    public String notifySocket() {
        return path.toString();
    }

    /** Turns on SO_PASSCRED; null when that cannot be done (messages then come without a pid). */
    private static CredentialReceiver passCredentials(UnixDatagramChannel channel, String daemon) {
        try {
            return CredentialReceiver.enable(channel.getFD(), MAX_DATAGRAM);
        } catch (IOException e) {
            LOG.warn("notify socket of {}: {}; sender pids unknown", daemon, e.getMessage());
            return null;
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closing) {
            buffer.clear();
            OptionalInt sender;
            try {
                sender = credentials != null ? credentials.receive(buffer) : receivePlain(buffer);
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("notify socket of {}: {}", daemon, e.getMessage());
                }
                return;
            }
            if (closing || !buffer.hasRemaining()) {
                continue;
            }
            String text = StandardCharsets.UTF_8.decode(buffer).toString();
            if (text.equals(WAKE)) {
                continue;
            }
            try {
                onMessage.accept(NotifyMessage.parse(text, sender));
            } catch (RuntimeException e) {
                LOG.error("handling a notification from {} failed", daemon, e);
            }
        }
    }

    private OptionalInt receivePlain(ByteBuffer buffer) throws IOException {
        channel.receive(buffer);
        buffer.flip();
        return OptionalInt.empty();
    }

    /**
     * Stops the thread and removes the socket file. A thread blocked in
     * recvfrom(2) is not woken by close(2) on Linux: a datagram to ourselves is.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try (UnixDatagramChannel waker = UnixDatagramChannel.open()) {
            waker.send(ByteBuffer.wrap(WAKE.getBytes(StandardCharsets.UTF_8)),
                    new UnixSocketAddress(path.toFile()));
        } catch (IOException e) {
            LOG.debug("waking the notify listener of {}: {}", daemon, e.getMessage());
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the notify socket of {}: {}", daemon, e.getMessage());
        }
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(path);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the notify socket {}: {}", path, e.getMessage());
        }
    }
}

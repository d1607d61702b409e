package org.virtsup.control;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the control server listens and how long it waits.
 *
 * @param socket           e.g. {@code /run/virtsup/control.sock}
 * @param controlGroup     the group's name, for messages
 * @param controlGid       the group's gid: the socket's group, and who may mutate
 * @param idleTimeout      a connection that sends no complete line for this long is closed
 * @param writeTimeout     a reply not written within this is abandoned and the connection closed
 * @param replyTimeout     the longest the server waits for the {@link ControlHandler}; above
 *                         the longest start/stop budget
 * @param maxConnections   connections served at once; more wait in the listen backlog
 */
public record ControlServerSettings(Path socket, String controlGroup, int controlGid, Duration idleTimeout,
                                    Duration writeTimeout, Duration replyTimeout, int maxConnections) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/virtsup/control.sock");

    public ControlServerSettings {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(controlGroup, "controlGroup");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
    }

    /**
     * Defaults: 5 s idle, 5 s per write, 64 connections at once, and a reply
     * budget of start + stop timeouts plus a minute, enough for a restart.
     */
    public static ControlServerSettings of(Path socket, String controlGroup, int controlGid,
                                           Duration startTimeout, Duration stopTimeout) {
        return new ControlServerSettings(socket, controlGroup, controlGid, Duration.ofSeconds(5),
                Duration.ofSeconds(5), startTimeout.plus(stopTimeout).multipliedBy(2).plusMinutes(1), 64);
    }

    public ControlServerSettings withIdleTimeout(Duration value) {
        return new ControlServerSettings(socket, controlGroup, controlGid, value, writeTimeout, replyTimeout,
                maxConnections);
    }

    public ControlServerSettings withWriteTimeout(Duration value) {
        return new ControlServerSettings(socket, controlGroup, controlGid, idleTimeout, value, replyTimeout,
                maxConnections);
    }

    public ControlServerSettings withReplyTimeout(Duration value) {
        return new ControlServerSettings(socket, controlGroup, controlGid, idleTimeout, writeTimeout, value,
                maxConnections);
    }

    public ControlServerSettings withMaxConnections(int value) {
        return new ControlServerSettings(socket, controlGroup, controlGid, idleTimeout, writeTimeout, replyTimeout,
                value);
    }
}

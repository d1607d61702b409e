package org.virtsup.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import org.testcontainers.DockerClientFactory;

/**
 * The local Docker engine, as the tests see it.
 *
 * <p>Testcontainers 2.0.2 speaks Docker API 1.44 unless told otherwise, the
 * minimum of Docker 29; Debian bookworm's docker.io (20.10) answers at most
 * 1.41 and refuses 1.44 with "client version 1.44 is too new". So before
 * Testcontainers first talks to the engine, the engine's own version is read
 * from {@code /_ping} and, when older than 1.44, handed to docker-java as
 * the system property {@code api.version}. An {@code api.version} set by
 * hand is left alone.
 */
public final class DockerEngine {
    private static final String TESTCONTAINERS_DEFAULT_API = "1.44";

    private DockerEngine() {
    }

    /** Whether an engine answers; also settles the API version first. */
    public static boolean answers() {
        return problem().isEmpty();
    }

    /** Why Testcontainers cannot use the engine, or empty when it can; settles the API version first. */
    public static synchronized Optional<String> problem() {
        if (System.getProperty("api.version") == null) {
            engineApiVersion().filter(version -> compare(version, TESTCONTAINERS_DEFAULT_API) < 0)
                    .ifPresent(version -> System.setProperty("api.version", version));
        }
        try {
            DockerClientFactory.instance().client();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Whether the engine holds this image (it is never pulled). */
    public static boolean hasImage(String reference) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(reference).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The engine's API version from the Api-Version header of GET /_ping, when it listens on a unix socket. */
    static Optional<String> engineApiVersion() {
        String host = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("unix:///var/run/docker.sock");
        if (!host.startsWith("unix://")) {
            return Optional.empty();
        }
        Path socket = Path.of(host.substring("unix://".length()));
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // HTTP/1.0: the engine closes the connection after the response.
            }
            String response = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            for (String line : response.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("api-version:")) {
                    return Optional.of(line.substring("api-version:".length()).trim());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Compares API versions such as 1.41 and 1.44 numerically, part by part. */
    static int compare(String left, String right) {
        String[] a = left.split("\\.");
        String[] b = right.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? Integer.parseInt(a[i]) : 0;
            int y = i < b.length ? Integer.parseInt(b[i]) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }
}

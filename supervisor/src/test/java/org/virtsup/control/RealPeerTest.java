package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.virtsup.posix.JnrPosix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permission model with real peers: the client runs in its own JVM as
 * user nobody (through setpriv), so SO_PEERCRED, /proc/PID/status and the
 * socket file's mode all come from the kernel.
 */
@Timeout(120)
class RealPeerTest {
    /** A gid no account uses, standing for the control group. */
    private static final int CONTROL_GID = 54321;
    private static final String NOBODY = "65534";
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @TempDir
    Path dir;

    private final FakeSupervisor supervisor = new FakeSupervisor();
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private ControlServer server;
    private Path socket;
    private String classPath;

    @BeforeEach
    void start() throws IOException {
        boolean full = "1".equals(System.getenv("VIRTSUP_FULL_TESTS"));
        if (!Files.isExecutable(SETPRIV) || ProcessHandle.current().info().user().filter("root"::equals).isEmpty()) {
            if (full) {
                throw new AssertionError("this test runs clients as another user: it needs root and setpriv"
                        + " (apt-get install util-linux)");
            }
            Assumptions.abort("needs root and /usr/bin/setpriv to run clients as another user");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        classPath = readableClassPath();
        socket = dir.resolve("run/control.sock");
        server = ControlServer.start(ControlServerSettings.of(socket, "virtsup-test", CONTROL_GID,
                Duration.ofSeconds(30), Duration.ofSeconds(20)), (request, peer) -> {
                    peers.add(peer);
                    return supervisor.handle(request, peer);
                }, new JnrPosix());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The client's classes copied where user nobody can read them (not under /root). */
    private String readableClassPath() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            boolean ours = entry.endsWith("classes") || entry.endsWith("test-classes");
            boolean json = source.getFileName().toString().startsWith("jackson-");
            if (!(ours || json) || !Files.exists(source)) {
                continue;
            }
            Path target = lib.resolve(entries.size() + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path copy = target.resolve(source.relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(copy);
                        } else {
                            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(source, target);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> files = Files.walk(lib)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                        Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private record Result(int code, String output) {
    }

    /** Runs {@code virtsup COMMAND...} as nobody with the given supplementary groups. */
    private Result asNobody(String groups, String... command) throws IOException, InterruptedException {
        return asNobodyRun(groups, "org.virtsup.cli.ControlCommandsEntry", true, command);
    }

    /** Runs {@code mainClass} as nobody; {@code withSocket} appends {@code --socket SOCKET}, else SOCKET comes first. */
    private Result asNobodyRun(String groups, String mainClass, boolean withSocket, String... command)
            throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY));
        line.add(groups.isEmpty() ? "--clear-groups" : "--groups=" + groups);
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classPath,
                mainClass));
        if (!withSocket) {
            line.add(socket.toString());
        }
        line.addAll(List.of(command));
        if (withSocket) {
            line.addAll(List.of("--socket", socket.toString()));
        }
        Process process = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    @Test
    void aMemberOfTheControlGroupThroughASupplementaryGroupMayRestart() throws Exception {
        Result result = asNobody(Integer.toString(CONTROL_GID), "restart", "libvirtd");
        assertEquals(0, result.code(), result.output());
        assertEquals(1, peers.size());
        Peer peer = peers.get(0);
        assertEquals(65534, peer.uid());
        assertEquals(65534, peer.gid());
        assertTrue(peer.privileged(), peer.toString());
    }

    /**
     * The groups are those the peer had when it connected. Here it is gone
     * before the server reads its credentials (the one connection slot is
     * busy meanwhile): /proc/PID/status would no longer tell anything.
     */
    @Test
    void aMembersRequestCountsEvenWhenItLeftBeforeBeingServed() throws Exception {
        server.close();
        CompletableFuture<Void> release = new CompletableFuture<>();
        server = ControlServer.start(ControlServerSettings.of(socket, "virtsup-test", CONTROL_GID,
                Duration.ofSeconds(30), Duration.ofSeconds(20)).withMaxConnections(1), (request, peer) -> {
                    peers.add(peer);
                    if (peer.uid() == 0) {
                        return release.thenCompose(done -> supervisor.handle(request, peer));
                    }
                    return supervisor.handle(request, peer);
                }, new JnrPosix());
        CompletableFuture<Reply> busy = CompletableFuture.supplyAsync(() -> {
            try {
                return new ControlClient(socket, Duration.ofSeconds(30)).call(new Request.Status(Optional.empty()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ControlServerTest.waitUntil(() -> peers.size() == 1); // root's request holds the only slot

        Result left = asNobodyRun(Integer.toString(CONTROL_GID), SendAndLeave.class.getName(), false,
                ControlProtocol.encodeRequest(new Request.Restart("libvirtd")));
        assertEquals(0, left.code(), left.output());
        release.complete(null);
        busy.get();

        ControlServerTest.waitUntil(() -> peers.size() == 2);
        assertEquals(65534, peers.get(1).uid());
        assertTrue(peers.get(1).privileged(), peers.get(1).toString());
        assertEquals(new Request.Restart("libvirtd"), supervisor.received.get(supervisor.received.size() - 1));
    }

    @Test
    void aStrangerCannotEvenConnect() throws Exception {
        Result result = asNobody("", "status");
        assertEquals(4, result.code(), result.output());
        assertTrue(result.output().contains("Permission denied"), result.output());
        assertTrue(peers.isEmpty());
    }

    @Test
    void aStrangerOnARelaxedSocketMayReadButNotChange() throws Exception {
        // An operator who opens the socket to everyone (chmod 0666) opens status and logs only.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Result status = asNobody("", "status");
        assertEquals(0, status.code(), status.output());
        Result stop = asNobody("", "stop", "libvirtd");
        assertEquals(1, stop.code(), stop.output());
        assertTrue(stop.output().contains("stop needs uid 0 or membership in the control group 'virtsup-test'"
                + " (gid " + CONTROL_GID + "); you are uid 65534"), stop.output());
        assertEquals(1, peers.size(), "the refused stop never reached the supervisor");
        assertFalse(peers.get(0).privileged());
    }
}

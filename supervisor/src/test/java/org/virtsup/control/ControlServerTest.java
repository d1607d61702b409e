package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.posix.JnrPosix;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Signal;

@Timeout(60)
class ControlServerTest {
    @TempDir
    Path dir;

    private final FakeSupervisor supervisor = new FakeSupervisor();
    private final List<ControlServer> servers = new ArrayList<>();

    private Path socket() {
        return dir.resolve("run/virtsup/control.sock");
    }

    private ControlServerSettings settings() {
        return ControlServerSettings.of(socket(), "root", 0, Duration.ofSeconds(30), Duration.ofSeconds(20));
    }

    private ControlServer start(ControlServerSettings settings, PeerIdentifier identifier) throws IOException {
        ControlServer server = ControlServer.start(settings, supervisor, identifier, new JnrPosix());
        servers.add(server);
        return server;
    }

    private ControlServer start() throws IOException {
        return start(settings(), new PeerPrivilege(0));
    }

    @AfterEach
    void stop() {
        servers.forEach(ControlServer::close);
    }

    private Reply call(Request request) throws Exception {
        return new ControlClient(socket(), Duration.ofSeconds(10)).call(request);
    }

    @Test
    void answersStatusWithTheHandlersReport() throws Exception {
        start();
        StatusReport report = assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
        assertEquals(812, report.virtsup().pid());
        assertEquals(List.of("virtlogd", "libvirtd"), report.daemons().stream().map(StatusReport.Daemon::name).toList());
        assertTrue(report.allWantedRunning());
        assertEquals(List.of(new Request.Status(Optional.empty())), supervisor.received);
    }

    @Test
    void createsTheDirectoryAndRestrictsTheSocket() throws Exception {
        start();
        assertEquals("rw-rw----", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket(), LinkOption.NOFOLLOW_LINKS)));
        assertEquals(0, Files.getAttribute(socket(), "unix:gid", LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())));
        assertTrue(ControlSocketFile.isSocket(socket()));
    }

    @Test
    void refusesToStartWhileAnotherServerAnswers() throws Exception {
        start();
        ControlSocketInUseException e = assertThrows(ControlSocketInUseException.class, this::start);
        assertTrue(e.getMessage().contains("another virtsup is running"), e.getMessage());
        // The first one still serves.
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
    }

    @Test
    void replacesAStaleSocketLeftByADeadServer() throws Exception {
        Files.createDirectories(socket().getParent());
        // A JDK server socket leaves its file behind when closed, like a killed virtsup.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));
        start();
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
    }

    @Test
    void refusesAFileThatIsNotASocket() throws Exception {
        Files.createDirectories(socket().getParent());
        Files.writeString(socket(), "not a socket");
        IOException e = assertThrows(IOException.class, this::start);
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
    }

    @Test
    void removesTheSocketFileWhenClosed() throws Exception {
        ControlServer server = start();
        server.close();
        assertFalse(Files.exists(socket(), LinkOption.NOFOLLOW_LINKS));
        assertThrows(ControlUnreachableException.class, () -> call(new Request.Status(Optional.empty())));
    }

    @Test
    void answersBadLinesWithAnErrorAndKeepsTheConnection() throws Exception {
        start();
        try (RawConnection raw = new RawConnection(socket())) {
            raw.send("{not json\n");
            assertEquals("bad-request", errorCode(raw.readLine()));
            raw.send("[1,2]\n");
            assertEquals("bad-request", errorCode(raw.readLine()));
            raw.send("{\"v\":2,\"command\":\"status\"}\n");
            assertEquals("unsupported-version", errorCode(raw.readLine()));
            raw.send("{\"command\":\"status\"}\n");
            assertEquals("unsupported-version", errorCode(raw.readLine()));
            raw.send("{\"v\":1,\"command\":\"explode\"}\n");
            assertEquals("unknown-command", errorCode(raw.readLine()));
            raw.send("{\"v\":1,\"command\":\"start\"}\n");
            assertEquals("bad-request", errorCode(raw.readLine()));
            raw.send("{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":\"NOPE\"}\n");
            assertEquals("bad-request", errorCode(raw.readLine()));
            raw.send("{\"v\":1,\"command\":\"status\",\"name\":\"virtlogd\"}\n");
            Map<String, Object> reply = JSON.std.mapFrom(raw.readLine());
            assertEquals(1, reply.get("v"));
            assertTrue(reply.containsKey("result"), reply.toString());
        }
        assertEquals(1, supervisor.received.size(), "only the valid request reaches the handler");
    }

    @Test
    void answersAnOversizedRequestThenCloses() throws Exception {
        start();
        try (RawConnection raw = new RawConnection(socket())) {
            raw.send("{\"v\":1,\"command\":\"status\",\"pad\":\"" + "x".repeat(ControlProtocol.MAX_LINE_BYTES) + "\"}\n");
            assertEquals("request-too-large", errorCode(raw.readLine()));
            assertNull(raw.readLine(), "the server closes the connection");
        }
        assertTrue(supervisor.received.isEmpty());
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
    }

    @Test
    void aClientWritingAHugeLineInOneGoReadsTheErrorNotAReset() throws Exception {
        start();
        try (RawConnection raw = new RawConnection(socket())) {
            // 512 KiB in one write: more than the socket buffers, so the client is still
            // writing when the server has already answered.
            raw.send("{\"v\":1,\"pad\":\"" + "y".repeat(512 * 1024) + "\"}\n");
            assertEquals("request-too-large", errorCode(raw.readLine()));
            assertNull(raw.readLine());
        }
    }

    @Test
    void closesASilentConnection() throws Exception {
        start(settings().withIdleTimeout(Duration.ofMillis(200)), new PeerPrivilege(0));
        try (RawConnection raw = new RawConnection(socket())) {
            long started = System.nanoTime();
            assertNull(raw.readLine(), "the server closes a connection that says nothing");
            assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(150));
        }
        // A client that sent half a line is closed too, and others are still served meanwhile.
        try (RawConnection raw = new RawConnection(socket())) {
            raw.send("{\"v\":1,");
            assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
            assertNull(raw.readLine());
        }
    }

    @Test
    void aClientThatDoesNotReadItsReplyHoldsItsSlotOnlyUntilTheWriteTimeout() throws Exception {
        // One connection at a time, so a stuck writer would stall everyone.
        ControlServer server = ControlServer.start(settings().withMaxConnections(1)
                .withWriteTimeout(Duration.ofMillis(300)), (request, peer) -> {
                    supervisor.received.add(request);
                    if (request instanceof Request.Log log) {
                        // About 10 MB: far more than the socket buffers hold.
                        return CompletableFuture.completedFuture(new Reply.LogOutput(log.name(),
                                java.util.Collections.nCopies(log.lines(), "x".repeat(1000))));
                    }
                    return supervisor.handle(request, peer);
                }, new PeerPrivilege(0), new JnrPosix());
        servers.add(server);
        try (RawConnection greedy = new RawConnection(socket())) {
            greedy.send("{\"v\":1,\"command\":\"log\",\"name\":\"libvirtd\",\"lines\":10000}\n");
            waitUntil(() -> supervisor.received.size() == 1);
            // Served once the server gave up on the reader that never reads.
            assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
        }
    }

    @Test
    void aSilentClientHoldsTheLastSlotOnlyUntilTheIdleTimeout() throws Exception {
        start(settings().withMaxConnections(1).withIdleTimeout(Duration.ofMillis(300)),
                new PeerPrivilege(0));
        try (RawConnection silent = new RawConnection(socket())) {
            assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
            assertNull(silent.readLine(), "the silent one was closed to make room");
        }
    }

    @Test
    void refusesMutatingRequestsFromUnprivilegedPeersButServesThemStatusAndLogs() throws Exception {
        start(settings(), (uid, gid, pid, groups) -> new Peer(uid, gid, pid, false));
        Reply.Failure denied = assertInstanceOf(Reply.Failure.class, call(new Request.Restart("libvirtd")));
        assertEquals(ErrorCode.PERMISSION_DENIED, denied.code());
        assertTrue(denied.message().contains("control group 'root'"), denied.message());
        assertInstanceOf(Reply.Failure.class, call(new Request.Signal("libvirtd", Signal.named("KILL"))));
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
        assertInstanceOf(Reply.LogOutput.class, call(new Request.Log("libvirtd", 3)));
        assertEquals(List.of(new Request.Status(Optional.empty()), new Request.Log("libvirtd", 3)),
                supervisor.received, "refused requests never reach the handler");
    }

    @Test
    void passesThePeersCredentialsToTheHandler() throws Exception {
        List<Peer> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
        ControlServer server = ControlServer.start(settings(), (request, peer) -> {
            peers.add(peer);
            return CompletableFuture.completedFuture(new Reply.ActionOutcome(Optional.empty(), Optional.empty(),
                    OptionalInt.empty(), "ok", List.of()));
        }, new JnrPosix());
        servers.add(server);
        call(new Request.Reload(Optional.empty()));
        assertEquals(1, peers.size());
        assertEquals(ProcessHandle.current().pid(), peers.get(0).pid());
        assertEquals(0, peers.get(0).uid());
        assertTrue(peers.get(0).privileged());
    }

    @Test
    void repliesOnlyWhenTheHandlerCompletes() throws Exception {
        start();
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        supervisor.held = pending;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reply> reply = pool.submit(() -> call(new Request.Stop("libvirtd")));
            waitUntil(() -> supervisor.received.size() == 1);
            assertFalse(reply.isDone());
            // Other clients are served while one waits.
            assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
            pending.complete(new Reply.ActionOutcome(Optional.of("libvirtd"), Optional.of(Phase.STOPPED),
                    OptionalInt.empty(), "libvirtd stopped", List.of()));
            Reply.ActionOutcome outcome = assertInstanceOf(Reply.ActionOutcome.class, reply.get(10, TimeUnit.SECONDS));
            assertEquals("libvirtd stopped", outcome.message());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The reply timeout here is 160 s: the command is forgotten long before it. */
    @Test
    void aClientThatHangsUpWhileItsCommandRunsIsForgottenAtOnce() throws Exception {
        start();
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        supervisor.held = pending;
        try (SocketChannel client = rawClient()) {
            send(client, new Request.Restart("libvirtd"));
            waitUntil(() -> supervisor.received.size() == 1);
        }
        waitUntil(pending::isCancelled);
    }

    /** A client that shut its writing side (as `nc -N` does) still waits for the answer. */
    @Test
    void aClientThatOnlyShutsItsWritingSideStillGetsItsAnswer() throws Exception {
        ControlServer server = start();
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        supervisor.held = pending;
        try (SocketChannel client = rawClient()) {
            send(client, new Request.Restart("libvirtd"));
            client.shutdownOutput();
            waitUntil(() -> supervisor.received.size() == 1);
            long checked = server.clientChecks();
            waitUntil(() -> server.clientChecks() >= checked + 3 || pending.isCancelled()); // three hang-up checks
            assertFalse(pending.isCancelled(), "a half-closed client was taken for gone");
            pending.complete(new Reply.ActionOutcome(Optional.of("libvirtd"), Optional.of(Phase.RUNNING),
                    OptionalInt.empty(), "libvirtd restarted", List.of()));
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (client.read(buffer.clear()) > 0) {
                received.write(buffer.array(), 0, buffer.position());
            }
            String answer = received.toString(StandardCharsets.UTF_8);
            assertTrue(answer.contains("libvirtd restarted"), answer);
        }
    }

    private SocketChannel rawClient() throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        client.connect(UnixDomainSocketAddress.of(socket()));
        return client;
    }

    private static void send(SocketChannel client, Request request) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((ControlProtocol.encodeRequest(request) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            client.write(line);
        }
    }

    @Test
    void turnsAHandlerFailureIntoAnInternalError() throws Exception {
        start();
        supervisor.held = CompletableFuture.failedFuture(new IllegalStateException("event loop gone"));
        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, call(new Request.Start("libvirtd")));
        assertEquals(ErrorCode.INTERNAL, failure.code());
        assertTrue(failure.message().contains("event loop gone"), failure.message());
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
    }

    @Test
    void turnsAnAnswerOfTheWrongKindIntoAnInternalError() throws Exception {
        start();
        supervisor.held = CompletableFuture.completedFuture(new Reply.LogOutput("libvirtd", List.of()));
        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, call(new Request.Status(Optional.empty())));
        assertEquals(ErrorCode.INTERNAL, failure.code());
        supervisor.held = CompletableFuture.completedFuture(null);
        assertInstanceOf(Reply.Failure.class, call(new Request.Stop("libvirtd")));
    }

    @Test
    void givesUpOnAHandlerThatNeverAnswers() throws Exception {
        start(settings().withReplyTimeout(Duration.ofMillis(200)), new PeerPrivilege(0));
        supervisor.held = new CompletableFuture<>();
        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, call(new Request.Restart("libvirtd")));
        assertEquals(ErrorCode.INTERNAL, failure.code());
        assertTrue(failure.message().contains("no answer"), failure.message());
    }

    @Test
    void answersTwoHundredConcurrentClients() throws Exception {
        start();
        int clients = 200;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < clients; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return call(new Request.Status(Optional.empty()));
                }));
            }
            go.countDown();
            for (Future<Reply> reply : replies) {
                assertInstanceOf(StatusReport.class, reply.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients, supervisor.received.size());
    }

    @Test
    void closingEndsWaitingRequestsWithShuttingDown() throws Exception {
        ControlServer server = start();
        supervisor.held = new CompletableFuture<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reply> reply = pool.submit(() -> call(new Request.Start("libvirtd")));
            waitUntil(() -> supervisor.received.size() == 1);
            server.close();
            Reply.Failure failure = assertInstanceOf(Reply.Failure.class, reply.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.SHUTTING_DOWN, failure.code());
        } finally {
            pool.shutdownNow();
        }
    }

    static String errorCode(String line) throws IOException {
        assertTrue(line != null, "expected a reply line, got end of stream");
        Map<String, Object> reply = JSON.std.mapFrom(line);
        assertEquals(1, reply.get("v"), line);
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) reply.get("error");
        assertTrue(error != null && error.get("message") instanceof String, line);
        return (String) error.get("code");
    }

    /** Waits up to {@code millis} for {@code condition}; returns whether it came. */
    static boolean waitUntilOrTimeout(java.util.function.BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}

package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.virtsup.posix.JnrPosix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.run.LogCapture;

/** The control socket under a flood of idle connections, and out of file descriptors. */
@Timeout(60)
class ControlServerFaultTest {
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

    @TempDir
    Path dir;

    private final FakeSupervisor supervisor = new FakeSupervisor();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Path socket() {
        return dir.resolve("control.sock");
    }

    /** A long idle timeout: only the bound can make room within the test. */
    private ControlServer start() throws IOException {
        ControlServer server = ControlServer.start(ControlServerSettings.of(socket(), "root", 0,
                Duration.ofSeconds(30), Duration.ofSeconds(20)).withIdleTimeout(Duration.ofMinutes(5)), supervisor, new JnrPosix());
        toClose.add(server);
        return server;
    }

    private Reply call(Request request) throws Exception {
        return new ControlClient(socket(), Duration.ofSeconds(5)).call(request);
    }

    @Test
    void idleConnectionsCannotLockRootOut() throws Exception {
        start();
        List<RawConnection> idle = new ArrayList<>();
        for (int i = 0; i < 3 * 64; i++) { // three times the bound, none of them saying anything
            RawConnection connection = new RawConnection(socket());
            toClose.add(connection);
            idle.add(connection);
        }

        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty())));
        Reply restart = call(new Request.Restart("libvirtd"));
        assertInstanceOf(Reply.ActionOutcome.class, restart, restart.toString());
        assertEquals(List.of(new Request.Status(Optional.empty()), new Request.Restart("libvirtd")),
                supervisor.received);
        assertNull(idle.get(0).readLine(), "the connection idle the longest was dropped");
    }

    /**
     * A crowd that connects at once, twice the bound, before any of them has
     * said a word (health probes of a fleet): a connection just accepted waits
     * for its request for a moment, and must not be dropped for a newcomer in
     * that moment; each client is served in turn.
     */
    @Test
    void aCrowdConnectingAtOnceIsServedNotDropped() throws Exception {
        start();
        List<RawConnection> crowd = new ArrayList<>();
        for (int i = 0; i < 2 * 64; i++) {
            RawConnection connection = new RawConnection(socket());
            toClose.add(connection);
            crowd.add(connection);
        }
        long started = System.nanoTime();
        List<Integer> dropped = new ArrayList<>();
        for (int i = 0; i < crowd.size(); i++) {
            RawConnection connection = crowd.get(i);
            connection.send("{\"v\":1,\"command\":\"status\"}\n");
            String reply = connection.readLine();
            if (reply == null || !reply.contains("\"result\"")) {
                dropped.add(i);
            }
            connection.close();
        }
        System.out.println("virtsup-benchmark: control socket: a crowd of " + crowd.size() + " served one by one in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertEquals(List.of(), dropped, "clients dropped before they could send their request");
    }

    @Test
    void outOfDescriptorsTheAcceptorPausesSaysSoOnceAndServesAgainAfter() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PRLIMIT), "needs prlimit (util-linux)");
        ControlServer server = start();
        assertInstanceOf(StatusReport.class, call(new Request.Status(Optional.empty()))); // all classes loaded
        Thread acceptor = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("virtsup-control-acceptor")).findFirst().orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        String limitBefore = currentLimit(pid);
        // Their descriptors are made before they run out.
        SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX);
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        List<SocketChannel> spares = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            spares.add(SocketChannel.open(StandardProtocolFamily.UNIX));
        }
        List<RandomAccessFile> fillers = new ArrayList<>();
        long cpuNanos;
        List<String> warnings;
        try (LogCapture log = new LogCapture(ControlServer.class.getName())) {
            ControlServerTest.waitUntil(() -> log.leveled().isEmpty()); // loaded while classes can still be read
            limit(pid, openDescriptors() + 20);
            fill(fillers);
            // accept(2) takes a descriptor before it waits: the acceptor has one for this first
            // connection, and its next accept fails at once.
            first.connect(UnixDomainSocketAddress.of(socket()));
            // Other threads of this JVM (earlier tests' leftovers) may close a descriptor meanwhile, and a blocked
            // accept(2) takes a free one before it waits: then take what was freed and knock again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int knock = 0; log.leveled().isEmpty(); knock++) {
                assertTrue(System.nanoTime() < deadline && knock < spares.size(), "the acceptor never ran out");
                ControlServerTest.waitUntilOrTimeout(() -> !log.leveled().isEmpty(), 500);
                if (log.leveled().isEmpty()) {
                    fill(fillers);
                    spares.get(knock).connect(UnixDomainSocketAddress.of(socket()));
                }
            }
            client.connect(UnixDomainSocketAddress.of(socket())); // queued in the backlog meanwhile
            long cpuBefore = threads.getThreadCpuTime(acceptor.getId());
            Thread.sleep(1000); // the window measured: the acceptor must not spin while out of descriptors
            cpuNanos = threads.getThreadCpuTime(acceptor.getId()) - cpuBefore;
            for (RandomAccessFile filler : fillers) {
                filler.close();
            }
            fillers.clear();
            limit(pid, Long.parseLong(limitBefore));
            warnings = log.leveled().stream().filter(line -> line.startsWith("WARN")).toList();

            RawConnection served = new RawConnection(client);
            served.send("{\"v\":1,\"command\":\"status\"}\n");
            assertNotNull(served.readLine(), "the connection made while out of descriptors is served");
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("accepting again")), log.messages().toString());
        } finally {
            for (RandomAccessFile filler : fillers) {
                filler.close();
            }
            limit(pid, Long.parseLong(limitBefore));
            client.close();
            first.close();
            for (SocketChannel spare : spares) {
                spare.close();
            }
        }
        System.out.printf("virtsup-benchmark: control acceptor CPU time during 1 s out of descriptors: %d ms%n",
                cpuNanos / 1_000_000);
        assertEquals(1, warnings.size(), "one warning for the whole run of failures");
        assertTrue(warnings.get(0).contains("Too many open files"), warnings.get(0));
        assertTrue(server.socket().toFile().exists());
    }

    /** Opens descriptors until there is none left (EMFILE). */
    private static void fill(List<RandomAccessFile> fillers) {
        try {
            while (true) {
                fillers.add(new RandomAccessFile("/dev/null", "r"));
            }
        } catch (IOException expected) {
            // EMFILE: this process has no descriptor left
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static String currentLimit(long pid) throws Exception {
        return run(PRLIMIT.toString(), "--pid", Long.toString(pid), "--nofile", "--output=SOFT", "--noheadings",
                "--raw").strip();
    }

    private static void limit(long pid, long soft) throws Exception {
        run(PRLIMIT.toString(), "--pid", Long.toString(pid), "--nofile=" + soft + ":");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}

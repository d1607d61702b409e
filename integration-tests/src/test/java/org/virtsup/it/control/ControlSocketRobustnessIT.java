package org.virtsup.it.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * Broken, oversized, stalled and crowded clients of the control socket do not
 * disturb {@code virtsup run} (PID 1, the real daemons): each gets an answer
 * or is closed, other clients are served meanwhile, and afterwards virtsup is
 * still PID 1 with the same daemons. The raw clients are small Java programs
 * run inside the container ({@link RawRequests}, {@link StatusCrowd}).
 */
class ControlSocketRobustnessIT {
    /** Clients asking at the same moment: above the server's 64 connections served at once. */
    private static final int CROWD = 200;
    private static final Pattern ANSWERED = Pattern.compile("answered (\\d+) of (\\d+) in (\\d+) ms");
    private static final Pattern OTHER_CLIENT = Pattern.compile(
            "other client after (\\d+) ms, answered in (\\d+) ms: (.*)");
    private static final Pattern CLOSED = Pattern.compile("closed after (\\d+) ms, (\\d+) bytes received");

    @RegisterExtension
    static final LibvirtHostContainer host = VirtsupPid1.container("true");

    private static boolean installed;
    private static StatusSnapshot first;

    @BeforeEach
    void virtsupAnswers() {
        VirtsupPid1.awaitAllRunning(host);
        if (!installed) {
            ContainerPrograms.install(host, RawRequests.class, StatusCrowd.class);
            installed = true;
            first = VirtsupPid1.status(host);
        }
    }

    /** Whatever a test sent, virtsup is still PID 1 and the same daemons run. */
    @AfterEach
    void virtsupUndisturbed() {
        assertEquals(0, VirtsupPid1.cli(host, "status").exitCode(), "status still exits 0");
        StatusSnapshot now = VirtsupPid1.status(host);
        assertEquals(1, now.supervisorPid(), now.json());
        String pid1 = host.exec("cat", "/proc/1/cmdline").orFail().stdout().replace('\0', ' ');
        assertTrue(pid1.contains("org.virtsup.cli.Main run"), "PID 1 is still virtsup run: " + pid1);
        for (String daemon : first == null ? List.<String>of() : List.of("libvirtd", "virtlogd")) {
            assertEquals(first.daemon(daemon).pid(), now.daemon(daemon).pid(), daemon + ": " + now.json());
            assertEquals(0, now.daemon(daemon).restarts(), daemon + ": " + now.json());
        }
    }

    @Test
    void garbageLinesGetErrorRepliesAndTheConnectionStaysUsable() {
        List<String> lines = List.of(
                "this is not json",
                "[1,2,3]",
                "{\"v\":1}",
                "{\"v\":1,\"command\":\"frobnicate\"}",
                "{\"v\":99,\"command\":\"status\"}",
                "{\"v\":1,\"command\":\"restart\"}",
                "{\"v\":1,\"command\":\"status\"} {\"v\":1}",
                "@binary",
                // Deeper than any parser stack should follow.
                "[".repeat(50_000),
                // Not signal numbers, though 2^32 + 1 truncated to an int would be SIGHUP.
                "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":4294967297}",
                "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":1.5}",
                "{\"v\":1,\"command\":\"log\",\"name\":\"libvirtd\",\"lines\":4294967297}",
                "{\"v\":1,\"command\":\"status\"}");
        List<String> expected = List.of("bad-request", "bad-request", "bad-request", "unknown-command",
                "unsupported-version", "bad-request", "bad-request", "bad-request", "bad-request", "bad-request",
                "bad-request", "bad-request");
        ExecResult result = run(concat(List.of(VirtsupPid1.SOCKET, "lines"), lines));
        List<String> replies = result.stdout().lines().toList();
        assertEquals(lines.size(), replies.size(), result::describe);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(replies.get(i).startsWith("reply {\"v\":1,\"error\":{\"code\":\"" + expected.get(i) + "\""),
                    "reply to " + lines.get(i) + ": " + replies.get(i));
        }
        String last = replies.get(replies.size() - 1);
        assertTrue(last.startsWith("reply {\"v\":1,\"result\":{\"supervisor\":"),
                "the same connection still answers a good request: " + last);
    }

    @Test
    void aRequestEndedByEndOfStreamInsteadOfANewlineIsAnswered() {
        ExecResult result = run(VirtsupPid1.SOCKET, "eof", "{\"v\":1,\"command\":\"status\",\"name\":\"virtlogd\"}");
        assertTrue(result.stdout().startsWith("reply {\"v\":1,\"result\":{\"supervisor\":"), result::describe);
        assertTrue(result.stdout().contains("\"name\":\"virtlogd\"") && !result.stdout().contains("libvirtd"),
                result::describe);
    }

    @Test
    void anOversizedRequestGetsAnErrorAndIsClosed() {
        ExecResult result = run(VirtsupPid1.SOCKET, "oversized", Integer.toString(100 * 1024));
        List<String> output = result.stdout().lines().toList();
        assertTrue(output.stream().anyMatch(line -> line.startsWith("reply {\"v\":1,\"error\":{\"code\":"
                + "\"request-too-large\"")), result::describe);
        // The server drops the rest of the line before closing, so the client is neither reset
        // nor cut off while writing, and reads the reply before the end of the stream.
        assertTrue(output.contains("closed"), "the server closes the connection cleanly: " + result.describe());
        assertTrue(output.contains("wrote " + 100 * 1024 + " bytes"), "the whole request was taken: "
                + result.describe());
    }

    @Test
    void aHalfSentRequestIsClosedAfterTheIdleTimeoutWhileOthersAreServed() {
        ExecResult result = run(VirtsupPid1.SOCKET, "half");
        String output = result.stdout();
        Matcher other = OTHER_CLIENT.matcher(output);
        Matcher closed = CLOSED.matcher(output);
        assertTrue(other.find() && closed.find(), result::describe);
        assertTrue(other.group(3).startsWith("{\"v\":1,\"result\":{\"supervisor\":"), result::describe);
        assertEquals("0", closed.group(2), "the half request is no request: no reply");
        long otherAt = Long.parseLong(other.group(1));
        long closedAt = Long.parseLong(closed.group(1));
        assertTrue(otherAt < closedAt, "the other client was answered while the stalled one was still open: "
                + output);
        Benchmark.record("status while another connection stalls", Duration.ofMillis(Long.parseLong(other.group(2))));
        Benchmark.record("a stalled connection closed after", Duration.ofMillis(closedAt));
    }

    /**
     * More stalled clients than the server serves at once (64): a status
     * request waits in the listen backlog until idle timeouts free a slot, and
     * is then answered. How long it waited is a number to read, not a limit.
     */
    @Test
    void aStatusIsStillAnsweredBehindMoreStalledClientsThanTheServerServes() {
        ExecResult result = run(VirtsupPid1.SOCKET, "stalled", "70");
        Matcher answered = Pattern.compile("status answered in (\\d+) ms with 70 stalled: (.*)").matcher(result.stdout());
        assertTrue(answered.find(), result::describe);
        assertTrue(answered.group(2).startsWith("{\"v\":1,\"result\":{\"supervisor\":"), result::describe);
        Benchmark.record("status behind 70 stalled connections", Duration.ofMillis(Long.parseLong(answered.group(1))));
    }

    @Test
    void twoHundredClientsAtOnceAreAllAnswered() {
        int descriptorsBefore = openDescriptorsOfPid1();
        ExecResult result = run(StatusCrowd.class, VirtsupPid1.SOCKET, Integer.toString(CROWD));
        Matcher answered = ANSWERED.matcher(result.stdout());
        assertTrue(answered.find(), result::describe);
        assertEquals(CROWD, Integer.parseInt(answered.group(1)), result::describe);
        assertTrue(!result.stdout().contains("problem"), result::describe);
        Benchmark.record(CROWD + " concurrent status requests answered", Duration.ofMillis(
                Long.parseLong(answered.group(3))));
        // Every connection's descriptor is closed again (a few may be the JVM's own, opened meanwhile).
        Poll.until("virtsup holds no more descriptors than before the crowd (" + descriptorsBefore + ")",
                Duration.ofSeconds(30), () -> openDescriptorsOfPid1() <= descriptorsBefore + 4);
    }

    private static int openDescriptorsOfPid1() {
        return host.exec("ls", "/proc/1/fd").orFail().stdout().lines().toList().size();
    }

    private static ExecResult run(String... arguments) {
        return run(RawRequests.class, arguments);
    }

    private static ExecResult run(Class<?> program, String... arguments) {
        ExecResult result = host.exec(ContainerPrograms.command(program, arguments));
        assertEquals(0, result.exitCode(), result::describe);
        return result;
    }

    private static String[] concat(List<String> first, List<String> rest) {
        return java.util.stream.Stream.concat(first.stream(), rest.stream()).toArray(String[]::new);
    }
}

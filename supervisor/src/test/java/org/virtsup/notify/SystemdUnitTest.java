package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** packaging/systemd/virtsup.service: valid for systemd, and in step with what virtsup sends and does. */
@Timeout(60)
class SystemdUnitTest {
    private static final Path UNIT = Path.of("..", "packaging", "systemd", "virtsup.service");
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    Path dir;

    /** The [Service] assignments; a repeated key keeps all values. */
    private static Map<String, List<String>> service() throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String section = "";
        for (String raw : Files.readAllLines(UNIT)) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                section = line;
            } else if (section.equals("[Service]") && !line.startsWith("#") && line.contains("=")) {
                int equals = line.indexOf('=');
                keys.computeIfAbsent(line.substring(0, equals), k -> new ArrayList<>()).add(line.substring(equals + 1));
            }
        }
        return keys;
    }

    private static String run(Path workDir, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor() + ":" + output.strip();
    }

    private static void requireSystemdAnalyze() {
        if (!Files.isExecutable(ANALYZE)) {
            if ("1".equals(System.getenv("VIRTSUP_FULL_TESTS"))) {
                throw new AssertionError("systemd-analyze is missing: apt-get install systemd");
            }
            Assumptions.abort("systemd-analyze is missing (apt-get install systemd): the unit is not verified");
        }
    }

    /**
     * The installed unit points at /usr/bin/virtsup, which a build machine lacks:
     * a copy pointing at an existing file must verify without a word, and the
     * original may only complain about that missing binary.
     */
    @Test
    void verifiesWithSystemdAnalyze() throws Exception {
        requireSystemdAnalyze();
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("\nExecStart=/usr/bin/virtsup run\n"));
        Path copy = dir.resolve("virtsup.service");
        Files.writeString(copy, unit.replace("=/usr/bin/virtsup ", "=/bin/true "));
        assertEquals("0:", run(dir, ANALYZE.toString(), "verify", "--man=no", copy.toString()));
        if (!Files.exists(Path.of("/usr/bin/virtsup"))) {
            // Once per command that runs it (ExecStart=, ExecReload=).
            String original = run(dir, ANALYZE.toString(), "verify", "--man=no", UNIT.toAbsolutePath().toString());
            assertTrue(original.startsWith("1:"), original);
            assertEquals(List.of("virtsup.service: Command /usr/bin/virtsup is not executable: No such file or directory"),
                    original.substring(2).lines().distinct().toList(), original);
        }
    }

    @Test
    void keepsGuestsAliveAndGivesVirtsupTheStopBudgetItNeeds() throws IOException {
        Map<String, List<String>> service = service();
        assertEquals(List.of("process"), service.get("KillMode"));
        assertEquals(List.of("on-failure"), service.get("Restart"));
        // systemctl reload waits for the answer and fails for an invalid file (exit 78), which is not restarted.
        assertEquals(List.of("/usr/bin/virtsup reload"), service.get("ExecReload"));
        assertEquals(List.of("78"), service.get("RestartPreventExitStatus"));
        assertEquals(List.of("err"), service.get("SyslogLevel"));
        assertEquals(List.of("virtsup"), service.get("RuntimeDirectory"));
        assertEquals(List.of("yes"), service.get("RuntimeDirectoryPreserve"));
        // libvirtd then virtlogd, each TERM then KILL after the default stop-timeout.
        Duration budget = Duration.ofSeconds(20).multipliedBy(2);
        Duration timeoutStop = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec").get(0)));
        assertTrue(timeoutStop.compareTo(budget) > 0, "TimeoutStopSec " + timeoutStop + " must exceed " + budget);
        Duration startBudget = Duration.ofSeconds(30).multipliedBy(2);
        Duration timeoutStart = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStartSec").get(0)));
        assertTrue(timeoutStart.compareTo(startBudget) > 0);
    }

    /**
     * Type=notify waits for READY=1; NotifyAccess=main accepts it only from the
     * main pid: the Notifier sends from this very process and names it.
     */
    @Test
    void notifierSendsWhatTheUnitWaitsFor() throws IOException {
        Map<String, List<String>> service = service();
        assertEquals(List.of("notify"), service.get("Type"));
        assertEquals(List.of("main"), service.get("NotifyAccess"));
        Path socket = dir.resolve("notify");
        long pid = ProcessHandle.current().pid();
        try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
            systemd.bind(new UnixSocketAddress(socket.toFile()));
            try (Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()))) {
                notifier.ready(pid);
            }
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            systemd.receive(buffer);
            buffer.flip();
            List<String> lines = List.of(StandardCharsets.UTF_8.decode(buffer).toString().split("\n"));
            assertTrue(lines.contains("READY=1"), lines.toString());
            assertTrue(lines.contains("MAINPID=" + pid), lines.toString());
        }
    }
}

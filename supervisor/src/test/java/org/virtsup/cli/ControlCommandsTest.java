package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.virtsup.posix.JnrPosix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.control.ControlServer;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlTestSupport;

@Timeout(60)
class ControlCommandsTest {
    @TempDir
    Path dir;

    private ControlTestSupport.Fake supervisor;
    private ControlServer server;
    private Path socket;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("control.sock");
        supervisor = ControlTestSupport.fake();
        server = ControlServer.start(ControlServerSettings.of(socket, "root", 0, Duration.ofSeconds(30),
                Duration.ofSeconds(20)), supervisor.handler(), new JnrPosix());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String command, String... args) {
        out.reset();
        err.reset();
        return ControlCommands.run(command, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("VIRTSUP_SOCKET", socket.toString()));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusExitsZeroWhenEveryWantedDaemonRunsAndShowsOneBlockEach() {
        assertEquals(0, run("status"));
        String text = out();
        assertTrue(text.startsWith("virtsup   pid 812, up 2h 3m, version 0.1.0\n"), text);
        assertTrue(text.contains("config /etc/virtsup/virtsup.scm (running configuration matches the file)"), text);
        assertTrue(text.contains("\nvirtlogd  RUNNING, ready, pid 901, up 2m 5s, 0 restarts\n"), text);
        assertTrue(text.contains("\nlibvirtd  RUNNING, ready, pid 902, up 2m 5s, 0 restarts\n"), text);
    }

    @Test
    void statusExitsThreeAndShowsTheFailingDaemonsLastExitAndOutput() {
        supervisor.backOff("libvirtd");
        assertEquals(3, run("status"));
        String text = out();
        assertTrue(text.contains("libvirtd  BACKOFF (wanted up), 3 restarts, next try in 8s\n"), text);
        assertTrue(text.contains("last exit: exited with code 1, 2026-11-26 10:14:02 UTC"), text);
        assertTrue(text.contains("  | error : cannot bind: Address already in use\n"), text);
        assertEquals(0, run("status", "virtlogd"), "only the named daemon counts");
        assertTrue(!out().contains("libvirtd"), out());
    }

    @Test
    void statusExitsFourWhenVirtsupDoesNotAnswer() {
        assertEquals(4, ControlCommands.run("status", List.of("--socket", dir.resolve("none.sock").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()));
        assertTrue(err().contains("virtsup does not answer on " + dir.resolve("none.sock")), err());
        out.reset();
        assertEquals(4, ControlCommands.run("status", List.of("--json", "--socket", dir.resolve("none.sock").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()));
        assertTrue(out().startsWith("{\"v\":1,\"error\":{\"code\":\"unreachable\",\"message\":\"virtsup does not answer"),
                out());
    }

    @Test
    void givesUpAfterTheTimeoutWithExitFour() {
        supervisor.holdNextRequest();
        long started = System.nanoTime();
        assertEquals(4, run("restart", "--timeout=1", "libvirtd"));
        assertTrue(err().contains("no reply within 1 s"), err());
        assertTrue(System.nanoTime() - started < java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void theSocketOptionWinsOverTheEnvironment() {
        assertEquals(4, run("status", "--socket=" + dir.resolve("elsewhere.sock")));
        assertTrue(err().contains(dir.resolve("elsewhere.sock").toString()), err());
        assertEquals(0, run("status", "--socket", socket.toString()));
    }

    @Test
    void jsonPrintsTheReplyObject() throws IOException {
        assertEquals(0, run("status", "--json"));
        Map<String, Object> reply = JSON.std.mapFrom(out());
        assertEquals(1, reply.get("v"));
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) reply.get("result");
        assertEquals(2, ((List<?>) result.get("daemons")).size());
        assertEquals(1, run("start", "--json", "nope"));
        assertTrue(out().contains("\"code\":\"no-such-daemon\""), out());
    }

    @Test
    void stopPrintsTheOutcomeAndTheWarning() {
        assertEquals(0, run("stop", "virtlogd"));
        assertEquals("virtlogd stopped\n", out());
        assertTrue(err().contains("warning: libvirtd still runs"), err());
        assertEquals(0, run("status"), "a daemon the operator stopped is wanted down: status is still fine");
        assertTrue(out().contains("\nvirtlogd  STOPPED, 0 restarts\n"), out());
        assertEquals(3, run("status", "virtlogd"), "asked by name, a stopped daemon is not running");
        assertEquals(0, run("status", "libvirtd"));
    }

    @Test
    void startRestartReloadSignalAndLogReachTheSupervisor() {
        assertEquals(0, run("start", "libvirtd"));
        assertEquals(0, run("restart", "libvirtd"));
        assertEquals(0, run("reload"));
        assertEquals(0, run("reload", "virtlogd"));
        assertEquals(0, run("signal", "libvirtd", "hup"));
        assertEquals(0, run("signal", "libvirtd", "-USR1"));
        assertEquals(0, run("log", "libvirtd", "-n", "3"));
        assertEquals("libvirtd line 1\nlibvirtd line 2\nlibvirtd line 3\n", out());
        assertEquals(List.of("start libvirtd", "restart libvirtd", "reload", "reload virtlogd", "signal libvirtd 1",
                "signal libvirtd 10", "log libvirtd 3"), supervisor.received());
    }

    @Test
    void reloadOfAnInvalidFileExitsSeventyEight() {
        supervisor.invalidConfiguration();
        assertEquals(78, run("reload"));
        assertTrue(err().contains("virtsup.scm:3:5: error: max-clients"), err());
    }

    @Test
    void badUsageExitsTwoWithAUsageLine() {
        assertEquals(2, run("start"));
        assertTrue(err().contains("usage: virtsup start"), err());
        assertEquals(2, run("status", "a", "b"));
        assertEquals(2, run("signal", "libvirtd"));
        assertEquals(2, run("signal", "libvirtd", "NOSUCH"));
        assertTrue(err().contains("unknown signal 'NOSUCH'"), err());
        assertEquals(2, run("log", "libvirtd", "-n", "0"));
        assertEquals(2, run("stop", "--frobnicate", "libvirtd"));
        assertEquals(2, run("status", "--socket"));
        assertTrue(supervisor.received().isEmpty(), "nothing reaches the supervisor");
    }

    @Test
    void reexecWaitsUntilStatusCountsTheReexecAndEveryDaemonIsReady() {
        assertEquals(0, run("reexec"));
        assertTrue(out().contains("virtsup (pid 812) re-executes in place"), out());
        assertTrue(out().contains("virtsup re-executed in place in "), out());
        assertTrue(out().contains(": pid 812 (unchanged), version 0.1.0; virtlogd pid 901, libvirtd pid 902"), out());
        assertEquals(List.of("status", "reexec", "status"), supervisor.received());
        assertEquals(0, run("status"));
        assertTrue(out().startsWith("virtsup   pid 812, up 2h 3m, version 0.1.0, re-executed 1 time\n"), out());
    }

    @Test
    void aRefusedReexecExitsOneWithTheReason() {
        supervisor.refuseReexec("re-exec refused: libvirtd is starting; nothing was changed");
        assertEquals(1, run("reexec"));
        assertTrue(err().contains("virtsup reexec: re-exec refused: libvirtd is starting"), err());
    }

    @Test
    void aReexecThatNeverHappensFailsOnceThePatienceIsOut() {
        supervisor.loseReexec();
        assertEquals(1, run("reexec", "--timeout", "1"));
        assertTrue(err().contains("virtsup did not re-execute within 1 s"), err());
    }

    @Test
    void aVirtsupThatPredatesReexecIsNamedWithWhatTakesUpTheNewVersion() {
        supervisor.predateReexec();
        assertEquals(1, run("reexec"));
        assertTrue(err().contains("the running virtsup (version 0.1.0) cannot re-execute itself; restarting it takes up"
                + " the installed version (under systemd: systemctl restart virtsup)"), err());
    }

    @Test
    void aReexecWhoseDaemonIsNotReadyInTimeExitsThree() {
        supervisor.backOff("libvirtd");
        assertEquals(3, run("reexec", "--timeout", "1"));
        assertTrue(err().contains("virtsup re-executed (version 0.1.0), but not every wanted daemon was ready within"
                + " 1 s"), err());
    }

    @Test
    void reexecTakesNoOperand() {
        assertEquals(2, run("reexec", "libvirtd"));
        assertTrue(err().contains("usage: virtsup reexec [--json] [--socket PATH] [--timeout SECONDS]\n"), err());
    }

    @Test
    void summariesListEachCommandWithItsOperands() {
        assertEquals(List.of(
                "status [NAME]          show virtsup and its daemons (exit 3 when a wanted one is not running)",
                "start NAME             start a daemon and wait until it is ready",
                "stop NAME              stop a daemon and wait until it exited",
                "restart NAME           restart a daemon and wait until it is ready again",
                "reload [NAME]          re-read the configuration file, or reload one daemon",
                "signal NAME SIGNAL     send a signal to a daemon",
                "log NAME [-n LINES]    show a daemon's last output lines",
                "reexec                 replace the running virtsup by the installed one, daemons untouched"),
                ControlCommands.summaries());
    }

    @Test
    void helpDescribesEachCommand() {
        for (String command : List.of("status", "start", "stop", "restart", "reload", "signal", "log")) {
            assertEquals(0, run(command, "--help"));
            assertTrue(out().startsWith("usage: virtsup " + command), out());
            assertTrue(out().contains("--socket PATH"), out());
        }
        assertTrue(supervisor.received().isEmpty());
    }
}

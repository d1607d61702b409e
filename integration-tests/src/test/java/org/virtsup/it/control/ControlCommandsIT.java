package org.virtsup.it.control;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;
import org.virtsup.it.TinyGuest;
import org.virtsup.it.VirtAdmin;

/**
 * Every control command, with its exit code, against {@code virtsup run} as
 * the container's PID 1 supervising the real libvirtd and virtlogd.
 *
 * <p>One container for the class, to keep it fast: the tests run in any
 * order, each starts by waiting until both daemons are running and ready, and
 * each one that changes something puts it back (a failing one may leave the
 * daemons down, which the next one's wait then reports).
 *
 * <p>The control group is {@code virtops} (control/config.scm); user
 * {@code alice} is a member (supplementary group, as a login gives it),
 * {@code carol} has it as her primary group, user {@code bob} is not a member.
 */
class ControlCommandsIT {
    private static final Duration ACTION_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern LIBVIRT_LOG_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000: \\d+: (debug|info|warning|error) : .*");

    @RegisterExtension
    static final LibvirtHostContainer host = VirtsupPid1.container(String.join("\n",
            "groupadd --system virtops",
            "useradd --no-create-home --groups virtops alice",
            "useradd --no-create-home --gid virtops carol",
            "useradd --no-create-home bob",
            VirtsupPid1.writeFileScript(VirtsupPid1.CONFIG_FILE, VirtsupPid1.resource("control/config.scm"))));

    @BeforeEach
    void bothDaemonsUp() {
        VirtsupPid1.awaitAllRunning(host);
    }

    @Test
    void statusExitsZeroAndShowsVirtsupAndBothDaemons() {
        ExecResult all = VirtsupPid1.cli(host, "status");
        assertEquals(0, all.exitCode(), all::describe);
        assertTrue(all.stdout().contains("pid 1,"), "virtsup is PID 1:\n" + all.stdout());
        assertTrue(all.stdout().contains(VirtsupPid1.CONFIG_FILE), all.stdout());
        assertTrue(all.stdout().contains("virtlogd  RUNNING, ready"), all.stdout());
        assertTrue(all.stdout().contains("libvirtd  RUNNING, ready"), all.stdout());

        ExecResult one = VirtsupPid1.cli(host, "status", "libvirtd");
        assertEquals(0, one.exitCode(), one::describe);
        assertTrue(one.stdout().contains("libvirtd  RUNNING, ready"), one.stdout());
        assertFalse(one.stdout().contains("virtlogd"), "status NAME shows that daemon only:\n" + one.stdout());

        StatusSnapshot json = StatusSnapshot.parse(VirtsupPid1.cli(host, "status", "--json", "virtlogd")
                .orFail().stdout());
        assertEquals(List.of("virtlogd"), json.names());

        // What a health probe costs: the CLI's whole run inside the container, JVM start included.
        List<Long> millis = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String script = "s=$(date +%s%N); \"$@\" >/dev/null || exit $?; e=$(date +%s%N); echo $(((e - s) / 1000000))";
            millis.add(Long.parseLong(host.exec(concat(List.of("bash", "-c", script, "timed"),
                    VirtsupPid1.cliCommand("status"))).orFail().stdout().trim()));
        }
        java.util.Collections.sort(millis);
        Benchmark.record("virtsup status in the container, fastest of 5", Duration.ofMillis(millis.get(0)));
        Benchmark.record("virtsup status in the container, median of 5", Duration.ofMillis(millis.get(2)));
    }

    @Test
    void helpAndUsageErrors() {
        ExecResult help = VirtsupPid1.cli(host, "--help");
        assertEquals(0, help.exitCode(), help::describe);
        for (String command : List.of("status", "start", "stop", "restart", "reload", "signal", "log")) {
            assertTrue(help.stdout().contains("  " + command + " "), command + " is listed:\n" + help.stdout());
            ExecResult commandHelp = VirtsupPid1.cli(host, command, "--help");
            assertEquals(0, commandHelp.exitCode(), commandHelp::describe);
            assertTrue(commandHelp.stdout().startsWith("usage: virtsup " + command), commandHelp.stdout());
        }
        assertTrue(help.stdout().contains("4 the supervisor cannot be reached, 78 invalid configuration"),
                help.stdout());

        List<List<String>> usageErrors = List.of(
                List.of("status", "--bogus"),
                List.of("status", "libvirtd", "virtlogd"),
                List.of("restart"),
                List.of("start"),
                List.of("stop", "libvirtd", "extra"),
                List.of("signal", "libvirtd"),
                List.of("signal", "libvirtd", "NOSUCHSIGNAL"),
                List.of("log", "libvirtd", "-n", "0"),
                List.of("log", "libvirtd", "-n", "many"),
                List.of("status", "--socket"),
                List.of("frobnicate"));
        for (List<String> arguments : usageErrors) {
            ExecResult result = VirtsupPid1.cli(host, arguments.toArray(String[]::new));
            assertEquals(2, result.exitCode(), () -> "a usage error: " + result.describe());
            assertTrue(result.stderr().contains("usage: virtsup"), () -> "says how to use it: " + result.describe());
        }
    }

    @Test
    void anyTimeoutTheParserAcceptsWorks() {
        for (String timeout : List.of("1", "9223372036854775807")) {
            ExecResult result = VirtsupPid1.cli(host, "status", "--timeout", timeout);
            assertEquals(0, result.exitCode(), result::describe);
            assertEquals("", result.stderr(), result::describe);
        }
        ExecResult zero = VirtsupPid1.cli(host, "status", "--timeout", "0");
        assertEquals(2, zero.exitCode(), zero::describe);
    }

    @Test
    void unknownDaemonNamesAreFailuresNamingTheKnownOnes() {
        // Decided by the server (it knows what it supervises), so exit 1, not the client's usage error 2.
        for (List<String> arguments : List.of(List.of("status", "nope"), List.of("start", "nope"),
                List.of("stop", "nope"), List.of("restart", "nope"), List.of("reload", "nope"),
                List.of("signal", "nope", "HUP"), List.of("log", "nope"))) {
            ExecResult result = VirtsupPid1.cli(host, arguments.toArray(String[]::new));
            assertEquals(1, result.exitCode(), result::describe);
            assertTrue(result.stderr().contains("no daemon named 'nope'")
                    && result.stderr().contains("libvirtd") && result.stderr().contains("virtlogd"), result::describe);
        }
        ExecResult json = VirtsupPid1.cli(host, "restart", "--json", "nope");
        assertEquals(1, json.exitCode(), json::describe);
        assertTrue(json.stdout().contains("\"code\":\"no-such-daemon\""), json::describe);
    }

    @Test
    void anUnreachableSupervisorIsExitFour() {
        for (List<String> arguments : List.of(List.of("status", "--socket", "/nonexistent"),
                List.of("restart", "--socket", "/nonexistent", "libvirtd"))) {
            ExecResult result = VirtsupPid1.cli(host, arguments.toArray(String[]::new));
            assertEquals(4, result.exitCode(), result::describe);
            assertTrue(result.stderr().contains("/nonexistent"), result::describe);
        }
        ExecResult fromEnvironment = host.exec(concat(List.of("env", "VIRTSUP_SOCKET=/nonexistent"),
                VirtsupPid1.cliCommand("status")));
        assertEquals(4, fromEnvironment.exitCode(), fromEnvironment::describe);
    }

    @Test
    void logPrintsTheDaemonsLastLines() {
        ExecResult log = VirtsupPid1.cli(host, "log", "libvirtd", "-n", "5");
        assertEquals(0, log.exitCode(), log::describe);
        List<String> lines = log.stdout().lines().toList();
        assertTrue(!lines.isEmpty() && lines.size() <= 5, "1 to 5 lines:\n" + log.stdout());
        for (String line : lines) {
            assertTrue(line.isBlank() || LIBVIRT_LOG_LINE.matcher(line).matches(),
                    "a line libvirtd wrote: " + line);
        }
        ExecResult json = VirtsupPid1.cli(host, "log", "--json", "-n", "2", "virtlogd");
        assertEquals(0, json.exitCode(), json::describe);
        assertTrue(json.stdout().contains("\"name\":\"virtlogd\"") && json.stdout().contains("\"lines\":["),
                json::describe);
    }

    @Test
    void statusJsonAfterLibvirtdIsKilledWithSignalNine() {
        StatusSnapshot before = VirtsupPid1.status(host);
        StatusSnapshot.Daemon libvirtd = before.daemon("libvirtd");
        int virtlogdPid = before.daemon("virtlogd").pid();

        java.time.Instant killedAt = java.time.Instant.now();
        host.exec("kill", "-9", Integer.toString(libvirtd.runningPid())).orFail();
        StatusSnapshot after = Poll.untilPresent("libvirtd runs again with a new pid", ACTION_TIMEOUT, () -> {
            StatusSnapshot now = VirtsupPid1.status(host);
            StatusSnapshot.Daemon d = now.daemon("libvirtd");
            return d.pid() != libvirtd.pid() && d.runningAndReady() ? Optional.of(now) : Optional.empty();
        });

        StatusSnapshot.Daemon restarted = after.daemon("libvirtd");
        Map<String, Object> lastExit = restarted.lastExit().orElseThrow(() -> new AssertionError(
                "no lastExit after kill -9: " + after.json()));
        assertAll(after.json(),
                () -> assertEquals(1, after.supervisorPid(), "supervisor.pid"),
                () -> assertEquals(Boolean.TRUE, after.configMatchesFile(), "supervisor.configMatchesFile"),
                () -> assertEquals(Optional.of(VirtsupPid1.CONFIG_FILE), after.configFile(), "supervisor.configFile"),
                () -> assertEquals("RUNNING", restarted.state(), "state"),
                () -> assertEquals(Boolean.TRUE, restarted.ready(), "ready"),
                () -> assertEquals("up", restarted.wanted(), "wanted"),
                () -> assertNotEquals(libvirtd.pid(), restarted.pid(), "pid"),
                () -> assertTrue(host.isAlive(restarted.pid()), "the new pid is alive"),
                () -> assertEquals(libvirtd.restarts() + 1, restarted.restarts(), "restarts"),
                () -> assertEquals(9, lastExit.get("signal"), "lastExit.signal"),
                () -> assertFalse(lastExit.containsKey("code"), "lastExit.code (killed, not exited)"),
                () -> assertEquals("killed by signal 9 (SIGKILL)", lastExit.get("description"),
                        "lastExit.description"),
                () -> assertEquals(virtlogdPid, after.daemon("virtlogd").pid(), "virtlogd untouched"),
                // The container shares this machine's clock.
                () -> assertTrue(!java.time.Instant.parse((String) lastExit.get("at")).isBefore(killedAt.minusSeconds(1))
                        && !java.time.Instant.parse((String) lastExit.get("at")).isAfter(java.time.Instant.now()),
                        "lastExit.at is when it was killed"),
                () -> assertTrue(((Number) restarted.fields().get("uptimeSeconds")).longValue() >= 0, "uptimeSeconds"),
                () -> assertTrue(((Number) after.supervisor().get("uptimeSeconds")).longValue() >= 1,
                        "supervisor.uptimeSeconds"),
                () -> assertFalse(((String) after.supervisor().get("version")).isBlank(), "supervisor.version"),
                () -> assertEquals(List.of(), restarted.fields().get("lastOutputLines"),
                        "no output shown for a daemon that runs fine"));
    }

    @Test
    void stopAndStartLibvirtd() {
        int virtlogdPid = VirtsupPid1.status(host).daemon("virtlogd").pid();
        int oldPid = VirtsupPid1.status(host).daemon("libvirtd").pid();

        ExecResult stop = VirtsupPid1.cli(host, "stop", "libvirtd");
        assertEquals(0, stop.exitCode(), stop::describe);
        assertTrue(stop.stdout().contains("libvirtd is stopped"), stop::describe);
        assertFalse(host.isAlive(oldPid), "stop replies once libvirtd has exited");

        ExecResult named = VirtsupPid1.cli(host, "status", "libvirtd");
        assertEquals(3, named.exitCode(), () -> "status NAME of a stopped daemon: " + named.describe());
        // Documented (status --help): without NAME only daemons wanted up count, and the operator
        // has just said libvirtd is wanted down.
        ExecResult all = VirtsupPid1.cli(host, "status");
        assertEquals(0, all.exitCode(), () -> "status with nothing wanted down: " + all.describe());
        StatusSnapshot stopped = VirtsupPid1.status(host);
        assertEquals("STOPPED", stopped.daemon("libvirtd").state(), stopped.json());
        assertEquals("down", stopped.daemon("libvirtd").wanted(), stopped.json());
        assertEquals(0, stopped.daemon("libvirtd").pid(), "no pid: " + stopped.json());
        assertEquals(virtlogdPid, stopped.daemon("virtlogd").pid(), stopped.json());

        ExecResult start = VirtsupPid1.cli(host, "start", "libvirtd");
        assertEquals(0, start.exitCode(), start::describe);
        int newPid = pidIn(start.stdout());
        StatusSnapshot started = VirtsupPid1.status(host);
        assertEquals(newPid, started.daemon("libvirtd").pid(), "start replies with the running pid");
        assertTrue(started.daemon("libvirtd").runningAndReady(), "start replies once ready: " + started.json());
        assertEquals(0, VirtsupPid1.cli(host, "status", "libvirtd").exitCode());
    }

    /**
     * A start that arrives while a stop is under way wins, and the stop is
     * told so at once instead of waiting for a stop that will not come. To
     * hold the stop open, libvirtd is frozen (SIGSTOP) before it is asked to
     * stop: the SIGTERM waits until it is thawed.
     */
    @Test
    void aStartDuringAStopSupersedesItAndBothAreAnswered() {
        int oldPid = VirtsupPid1.status(host).daemon("libvirtd").runningPid();
        host.exec("kill", "-STOP", Integer.toString(oldPid)).orFail();
        try {
            DaemonProcess stop = host.startDaemon("stop-libvirtd", withExitCode(VirtsupPid1.cliCommand("stop",
                    "libvirtd")));
            Poll.until("libvirtd is STOPPING", ACTION_TIMEOUT,
                    () -> "STOPPING".equals(VirtsupPid1.status(host).daemon("libvirtd").state()));
            DaemonProcess start = host.startDaemon("start-libvirtd", withExitCode(VirtsupPid1.cliCommand("start",
                    "libvirtd")));
            String stopped = Poll.untilPresent("the stop is answered once the start supersedes it", ACTION_TIMEOUT,
                    () -> Optional.of(host.readFile(stop.logFile())).filter(log -> log.contains("exit=")));
            assertTrue(stopped.contains("exit=1") && stopped.contains("libvirtd was started again before it stopped"),
                    stopped);
            host.exec("kill", "-CONT", Integer.toString(oldPid)).orFail();
            String started = Poll.untilPresent("the start is answered", ACTION_TIMEOUT,
                    () -> Optional.of(host.readFile(start.logFile())).filter(log -> log.contains("exit=")));
            assertTrue(started.contains("exit=0") && started.contains("is running"), started);
            assertNotEquals(oldPid, pidIn(started), "the stop did end the old process: " + started);
        } finally {
            host.exec("kill", "-CONT", Integer.toString(oldPid));
        }
        StatusSnapshot after = VirtsupPid1.status(host);
        assertTrue(after.daemon("libvirtd").runningAndReady(), after.json());
        assertEquals("up", after.daemon("libvirtd").wanted(), after.json());
    }

    @Test
    void aWantedDaemonThatCannotStartMakesStatusExitThree() {
        StatusSnapshot before = VirtsupPid1.status(host);
        host.exec("mv", "/usr/sbin/libvirtd", "/usr/sbin/libvirtd.hidden-by-test").orFail();
        try {
            host.exec("kill", "-9", Integer.toString(before.daemon("libvirtd").runningPid())).orFail();
            Poll.until("status exits 3 while libvirtd cannot be spawned", ACTION_TIMEOUT,
                    () -> VirtsupPid1.cli(host, "status").exitCode() == 3);
            StatusSnapshot failing = VirtsupPid1.status(host);
            assertEquals("up", failing.daemon("libvirtd").wanted(), failing.json());
            assertFalse(failing.daemon("libvirtd").runningAndReady(), failing.json());
            assertEquals(3, VirtsupPid1.cli(host, "status", "libvirtd").exitCode());
            assertEquals(0, VirtsupPid1.cli(host, "status", "virtlogd").exitCode());

            ExecResult start = VirtsupPid1.cli(host, "start", "libvirtd");
            assertEquals(1, start.exitCode(), start::describe);
            assertTrue(start.stderr().contains("ENOENT"), "says why: " + start.describe());
        } finally {
            host.exec("mv", "/usr/sbin/libvirtd.hidden-by-test", "/usr/sbin/libvirtd").orFail();
        }
        ExecResult start = VirtsupPid1.cli(host, "start", "libvirtd");
        assertEquals(0, start.exitCode(), "start retries a backing-off daemon at once: " + start.describe());
        assertEquals(0, VirtsupPid1.cli(host, "status").exitCode());
    }

    @Test
    void restartAndStopOfLibvirtdLeaveTheGuestRunning() {
        host.writeFile("/etc/virtsup-test/tiny.xml", TinyGuest.xml("tiny"));
        host.exec("virsh", "-c", "qemu:///system", "create", "/etc/virtsup-test/tiny.xml").orFail();
        try {
            String qemuPid = host.readFile("/run/libvirt/qemu/tiny.pid").trim();
            StatusSnapshot before = VirtsupPid1.status(host);
            int oldPid = before.daemon("libvirtd").pid();

            long started = System.nanoTime();
            ExecResult restart = VirtsupPid1.cli(host, "restart", "libvirtd");
            Benchmark.record("virtsup restart libvirtd with a guest running (CLI round trip)",
                    Duration.ofNanos(System.nanoTime() - started));
            assertEquals(0, restart.exitCode(), restart::describe);
            int newPid = pidIn(restart.stdout());
            assertNotEquals(oldPid, newPid, restart.stdout());
            assertFalse(host.isAlive(oldPid), "the old libvirtd is gone");

            StatusSnapshot after = VirtsupPid1.status(host);
            assertEquals(newPid, after.daemon("libvirtd").pid(), after.json());
            assertTrue(after.daemon("libvirtd").runningAndReady(), after.json());
            assertEquals(before.daemon("virtlogd").pid(), after.daemon("virtlogd").pid(), "virtlogd untouched");
            // Only libvirtd's own pid was signalled: QEMU lives on and the new libvirtd takes it over.
            assertTrue(host.isAlive(Integer.parseInt(qemuPid)), "QEMU (pid " + qemuPid + ") survived");
            Poll.until("the new libvirtd reports the guest running", ACTION_TIMEOUT,
                    () -> host.exec("virsh", "-c", "qemu:///system", "domstate", "tiny").stdout().trim()
                            .equals("running"));
            assertEquals(qemuPid, host.readFile("/run/libvirt/qemu/tiny.pid").trim(), "the same QEMU");

            // stop too leaves the guest alone, and a later start takes it over again.
            assertEquals(0, VirtsupPid1.cli(host, "stop", "libvirtd").exitCode());
            assertTrue(host.isAlive(Integer.parseInt(qemuPid)), "QEMU (pid " + qemuPid + ") survived the stop");
            assertEquals(0, VirtsupPid1.cli(host, "start", "libvirtd").exitCode());
            Poll.until("the started libvirtd reports the guest running", ACTION_TIMEOUT,
                    () -> host.exec("virsh", "-c", "qemu:///system", "domstate", "tiny").stdout().trim()
                            .equals("running"));
        } finally {
            host.exec("virsh", "-c", "qemu:///system", "destroy", "tiny");
        }
    }

    @Test
    void reloadVirtlogdKeepsItsPid() {
        StatusSnapshot before = VirtsupPid1.status(host);
        int pid = before.daemon("virtlogd").pid();

        ExecResult reload = VirtsupPid1.cli(host, "reload", "virtlogd");
        assertEquals(0, reload.exitCode(), reload::describe);
        assertTrue(reload.stdout().contains("virtlogd (pid " + pid + ")") && reload.stdout().contains("re-executed"),
                "the reply confirms the same pid: " + reload.describe());
        ExecResult json = VirtsupPid1.cli(host, "reload", "--json", "virtlogd");
        assertEquals(0, json.exitCode(), json::describe);
        assertTrue(json.stdout().contains("\"pid\":" + pid + ",") && json.stdout().contains("\"state\":\"RUNNING\""),
                json::describe);

        StatusSnapshot after = VirtsupPid1.status(host);
        assertEquals(pid, after.daemon("virtlogd").pid(), after.json());
        assertEquals(before.daemon("virtlogd").restarts(), after.daemon("virtlogd").restarts(),
                "a re-execution is not a restart: " + after.json());
        assertEquals(before.daemon("libvirtd").pid(), after.daemon("libvirtd").pid(), after.json());
    }

    @Test
    void reloadLibvirtdAndSignalLibvirtdSendSighupToItsPid() {
        StatusSnapshot before = VirtsupPid1.status(host);
        int pid = before.daemon("libvirtd").pid();

        ExecResult reload = VirtsupPid1.cli(host, "reload", "libvirtd");
        assertEquals(0, reload.exitCode(), reload::describe);
        assertTrue(reload.stdout().contains("libvirtd (pid " + pid + ")"), reload::describe);

        ExecResult signal = VirtsupPid1.cli(host, "signal", "libvirtd", "HUP");
        assertEquals(0, signal.exitCode(), signal::describe);
        assertTrue(signal.stdout().contains("sent SIGHUP to libvirtd (pid " + pid + ")"), signal::describe);

        VirtsupPid1.awaitAllRunning(host);
        StatusSnapshot after = VirtsupPid1.status(host);
        assertEquals(pid, after.daemon("libvirtd").pid(), "SIGHUP reloads libvirtd in place: " + after.json());
        assertEquals(before.daemon("libvirtd").restarts(), after.daemon("libvirtd").restarts(), after.json());
        assertEquals(before.daemon("virtlogd").pid(), after.daemon("virtlogd").pid(), after.json());
    }

    @Test
    void reloadAppliesAValidFileAndRefusesAnInvalidOne() {
        StatusSnapshot before = VirtsupPid1.status(host);
        String valid = host.readFile(VirtsupPid1.CONFIG_FILE);

        ExecResult reload = VirtsupPid1.cli(host, "reload");
        assertEquals(0, reload.exitCode(), reload::describe);
        assertTrue(reload.stdout().contains("configuration reloaded"), reload::describe);
        assertSamePids(before, VirtsupPid1.status(host));

        host.writeFile(VirtsupPid1.CONFIG_FILE, valid + "\n(service libvirt-service-type\n"
                + " (libvirt-configuration (max-workers \"many\")))\n");
        try {
            ExecResult invalid = VirtsupPid1.cli(host, "reload");
            assertEquals(78, invalid.exitCode(), invalid::describe);
            assertTrue(invalid.stderr().contains(VirtsupPid1.CONFIG_FILE + ":") && invalid.stderr().contains(": error: "),
                    "names the file, line and column: " + invalid.describe());
            assertTrue(invalid.stderr().contains("nothing was changed"), invalid::describe);
            StatusSnapshot refused = VirtsupPid1.status(host);
            assertSamePids(before, refused);
            assertEquals(Boolean.FALSE, refused.configMatchesFile(),
                    "the file differs from the running configuration: " + refused.json());
        } finally {
            host.writeFile(VirtsupPid1.CONFIG_FILE, valid);
        }
        ExecResult again = VirtsupPid1.cli(host, "reload");
        assertEquals(0, again.exitCode(), again::describe);
        StatusSnapshot after = VirtsupPid1.status(host);
        assertSamePids(before, after);
        assertEquals(Boolean.TRUE, after.configMatchesFile(), after.json());
    }

    @Test
    void reloadAppliesChangedSettingsAndSaysWhichFilesChanged() {
        StatusSnapshot before = VirtsupPid1.status(host);
        String original = host.readFile(VirtsupPid1.CONFIG_FILE);
        VirtAdmin libvirtdAdmin = new VirtAdmin(host, VirtAdmin.LIBVIRTD);
        VirtAdmin virtlogdAdmin = new VirtAdmin(host, VirtAdmin.VIRTLOGD);
        assertEquals("20", libvirtdAdmin.threadPool("libvirtd").get("maxWorkers"), "the default before");
        host.writeFile(VirtsupPid1.CONFIG_FILE, original
                .replace("(service virtlog-service-type)",
                        "(service virtlog-service-type (virtlog-configuration (log-filters \"3:util\")))")
                .replace("(service libvirt-service-type)",
                        "(service libvirt-service-type (libvirt-configuration (max-workers 25)))"));
        try {
            ExecResult reload = VirtsupPid1.cli(host, "reload");
            assertEquals(0, reload.exitCode(), reload::describe);
            assertTrue(reload.stdout().contains("libvirtd.conf") && reload.stdout().contains("virtlogd.conf"),
                    "names the changed files: " + reload.describe());
            StatusSnapshot after = Poll.untilPresent("libvirtd restarted with its new file", ACTION_TIMEOUT, () -> {
                StatusSnapshot now = VirtsupPid1.status(host);
                return now.daemon("libvirtd").pid() != before.daemon("libvirtd").pid()
                        && now.daemon("libvirtd").runningAndReady() && now.daemon("virtlogd").runningAndReady()
                        ? Optional.of(now) : Optional.empty();
            });
            assertEquals(before.daemon("virtlogd").pid(), after.daemon("virtlogd").pid(),
                    "virtlogd re-executes in place: " + after.json());
            assertEquals(Boolean.TRUE, after.configMatchesFile(), after.json());
            Poll.until("libvirtd's admin server answers", ACTION_TIMEOUT, libvirtdAdmin::answers);
            assertEquals("25", libvirtdAdmin.threadPool("libvirtd").get("maxWorkers"), "libvirtd applied it");
            Poll.until("virtlogd's admin server answers", ACTION_TIMEOUT, virtlogdAdmin::answers);
            // Re-executing re-reads the file's log settings; its server limits (max-clients) are restored
            // from the state it saved, so those are not what this checks.
            assertEquals(VirtAdmin.asReportedFilters("3:util"), virtlogdAdmin.logFilters(), "virtlogd applied it");
        } finally {
            host.writeFile(VirtsupPid1.CONFIG_FILE, original);
        }
        ExecResult back = VirtsupPid1.cli(host, "reload");
        assertEquals(0, back.exitCode(), back::describe);
        VirtsupPid1.awaitAllRunning(host);
        Poll.until("libvirtd runs with max-workers 20 again", ACTION_TIMEOUT,
                () -> libvirtdAdmin.answers() && "20".equals(libvirtdAdmin.threadPool("libvirtd").get("maxWorkers")));
    }

    @Test
    void aControlGroupMemberMayRestart() {
        int pid = VirtsupPid1.status(host).daemon("libvirtd").pid();
        ExecResult status = VirtsupPid1.cliAs(host, "alice", "status");
        assertEquals(0, status.exitCode(), status::describe);

        ExecResult restart = VirtsupPid1.cliAs(host, "alice", "restart", "libvirtd");
        assertEquals(0, restart.exitCode(), restart::describe);
        assertNotEquals(pid, pidIn(restart.stdout()), restart::describe);

        // carol's primary group is the control group: the kernel's credentials say so without /proc.
        int virtlogd = VirtsupPid1.status(host).daemon("virtlogd").pid();
        ExecResult reload = VirtsupPid1.cliAs(host, "carol", "reload", "virtlogd");
        assertEquals(0, reload.exitCode(), reload::describe);
        assertTrue(reload.stdout().contains("virtlogd (pid " + virtlogd + ")"), reload::describe);
    }

    @Test
    void anotherUserCannotReachTheSocket() {
        assertEquals("660 root virtops", host.exec("stat", "-c", "%a %U %G", VirtsupPid1.SOCKET).orFail()
                .stdout().trim());
        ExecResult status = VirtsupPid1.cliAs(host, "bob", "status");
        assertEquals(4, status.exitCode(), status::describe);
        assertTrue(status.stderr().contains("Permission denied"), status::describe);
    }

    /**
     * The server checks the peer's credentials itself and does not rely on the
     * socket's mode: if someone opens the socket to everybody (here chmod 0666,
     * as an operator might for a monitoring agent), a user outside the control
     * group may read but still not act.
     */
    @Test
    void aUserOutsideTheControlGroupMayReadButNotAct() {
        int pid = VirtsupPid1.status(host).daemon("libvirtd").pid();
        host.exec("chmod", "0666", VirtsupPid1.SOCKET).orFail();
        try {
            ExecResult status = VirtsupPid1.cliAs(host, "bob", "status");
            assertEquals(0, status.exitCode(), status::describe);
            ExecResult log = VirtsupPid1.cliAs(host, "bob", "log", "virtlogd");
            assertEquals(0, log.exitCode(), log::describe);

            for (List<String> arguments : List.of(List.of("restart", "libvirtd"), List.of("stop", "libvirtd"),
                    List.of("signal", "libvirtd", "KILL"), List.of("reload"))) {
                ExecResult denied = VirtsupPid1.cliAs(host, "bob", arguments.toArray(String[]::new));
                assertEquals(1, denied.exitCode(), denied::describe);
                assertTrue(denied.stderr().contains("needs uid 0 or membership in the control group 'virtops'"),
                        denied::describe);
            }
            assertEquals(pid, VirtsupPid1.status(host).daemon("libvirtd").pid(), "libvirtd untouched");
            assertEquals(0, VirtsupPid1.cli(host, "status").exitCode());
        } finally {
            host.exec("chmod", "0660", VirtsupPid1.SOCKET).orFail();
        }
    }

    private static void assertSamePids(StatusSnapshot before, StatusSnapshot after) {
        assertEquals(before.daemon("libvirtd").pid(), after.daemon("libvirtd").pid(), "libvirtd: " + after.json());
        assertEquals(before.daemon("virtlogd").pid(), after.daemon("virtlogd").pid(), "virtlogd: " + after.json());
    }

    /** The pid in a reply such as "libvirtd (pid 4242) is running". */
    private static int pidIn(String reply) {
        Matcher matcher = Pattern.compile("\\(pid (\\d+)\\)").matcher(reply);
        assertTrue(matcher.find(), "a pid in: " + reply);
        return Integer.parseInt(matcher.group(1));
    }

    /** {@code argv}, then a line {@code exit=CODE}: a background command's exit code, in its log. */
    private static String[] withExitCode(String... argv) {
        return concat(List.of("bash", "-c", "\"$@\"; echo exit=$?", "with-exit-code"), argv);
    }

    private static String[] concat(List<String> first, String[] rest) {
        return java.util.stream.Stream.concat(first.stream(), java.util.Arrays.stream(rest)).toArray(String[]::new);
    }
}

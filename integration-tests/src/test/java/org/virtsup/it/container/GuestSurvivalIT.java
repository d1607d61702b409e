package org.virtsup.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * A running guest outlives everything virtsup does to the daemons in its
 * image: its QEMU process keeps its pid and libvirt still reports it running
 * after libvirtd is killed, restarted and reloaded, after a changed
 * configuration is reloaded (virtlogd re-executes, libvirtd restarts) and
 * after SIGUSR1; its console, written through virtlogd, keeps flowing after
 * each re-execution.
 */
class GuestSurvivalIT {
    private static final String GUEST = "survivor";
    private static final String CONSOLE_LOG = "/var/log/libvirt/qemu/" + GUEST + "-console.log";
    private static final String QEMU = "qemu-system-x86_64";
    private static final Duration UP = Duration.ofSeconds(60);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void aGuestKeepsRunningAndLoggingThroughEveryDaemonRestartReloadAndReexecution() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        container.awaitAllRunning(UP);
        container.writeFile("/tmp/guest.xml", guestXml(GUEST));
        long creating = System.nanoTime();
        container.exec("virsh", "-c", "qemu:///system", "create", "/tmp/guest.xml").orFail();
        Benchmark.record("guest: virsh create (TCG)", VirtsupImageIT.since(creating));
        List<Integer> qemus = container.pidsOf(QEMU);
        assertEquals(1, qemus.size(), "one QEMU: " + qemus);
        int qemu = qemus.get(0);
        awaitConsoleGrowth(container, "the guest's console log fills");
        assertGuestRunning(container, qemu, "after virsh create");

        // kill -9 libvirtd: virtsup starts a new one, which reconnects to the guest.
        int libvirtd = container.status().pidOf("libvirtd");
        long step = System.nanoTime();
        container.exec("kill", "-KILL", Integer.toString(libvirtd)).orFail();
        libvirtd = awaitNewLibvirtd(container, libvirtd);
        assertGuestRunning(container, qemu, "after kill -9 of libvirtd");
        Benchmark.record("guest: kill -9 libvirtd to the guest seen running again", VirtsupImageIT.since(step));

        step = System.nanoTime();
        container.virtsup("restart", "libvirtd").orFail();
        libvirtd = awaitNewLibvirtd(container, libvirtd);
        assertGuestRunning(container, qemu, "after virtsup restart libvirtd");
        Benchmark.record("guest: virtsup restart libvirtd to the guest seen running again",
                VirtsupImageIT.since(step));

        // Files unchanged: libvirtd only reloads its drivers' state (SIGHUP), in place.
        step = System.nanoTime();
        container.virtsup("reload").orFail();
        assertEquals(libvirtd, container.awaitAllRunning(UP).pidOf("libvirtd"), "libvirtd reloads in place");
        assertGuestRunning(container, qemu, "after virtsup reload");
        Benchmark.record("guest: virtsup reload to the guest seen running again", VirtsupImageIT.since(step));

        // Both files changed: virtlogd re-executes in place, libvirtd restarts; libvirt applies the new values.
        int virtlogd = container.status().pidOf("virtlogd");
        container.writeFile("/etc/virtsup/config.scm", String.join("\n",
                "(service virtlog-service-type",
                " (virtlog-configuration",
                "  (log-filters \"3:rpc\")))",
                "(service libvirt-service-type",
                " (libvirt-configuration",
                "  (max-clients 1000)))",
                ""));
        step = System.nanoTime();
        ExecResult reload = container.virtsup("reload").orFail();
        assertTrue(reload.stdout().contains("virtlogd.conf") && reload.stdout().contains("libvirtd.conf"),
                "both files changed: " + reload.stdout());
        container.awaitLog("virtlogd (pid " + virtlogd + ") re-executed itself and is ready again", UP);
        libvirtd = awaitNewLibvirtd(container, libvirtd);
        assertEquals(virtlogd, container.status().pidOf("virtlogd"), "virtlogd keeps its pid");
        assertGuestRunning(container, qemu, "after virtsup reload of a changed configuration");
        Benchmark.record("guest: virtsup reload of both changed files to the guest seen running again",
                VirtsupImageIT.since(step));
        assertEquals("Logging filters: 3:*rpc*", container.exec("virt-admin", "-c", "virtlogd:///system",
                "daemon-log-filters").orFail().stdout().strip(), "virtlogd's filters after its re-execution");
        assertTrue(container.exec("virt-admin", "-c", "libvirtd:///system", "srv-clients-info", "libvirtd")
                .orFail().stdout().lines().anyMatch(line -> line.matches("nclients_max\\s*: 1000")),
                "libvirtd's max-clients after its restart");
        awaitConsoleGrowth(container, "the guest's console log grows after the reload");

        // SIGUSR1 to virtsup (PID 1): virtlogd re-executes, keeping the console's file open.
        String reexecuted = "virtlogd (pid " + virtlogd + ") re-executed itself and is ready again";
        int reexecutions = occurrences(container.logs(), reexecuted);
        step = System.nanoTime();
        container.signalPid1("USR1");
        Poll.until("virtsup logs virtlogd's re-execution after SIGUSR1", UP,
                () -> occurrences(container.logs(), reexecuted) > reexecutions);
        assertEquals(virtlogd, container.awaitAllRunning(UP).pidOf("virtlogd"), "virtlogd keeps its pid");
        assertGuestRunning(container, qemu, "after virtlogd re-executed itself");
        awaitConsoleGrowth(container, "the guest's console log grows after virtlogd re-executed itself");
        Benchmark.record("guest: SIGUSR1 to the console log growing again", VirtsupImageIT.since(step));

        // virtsup reexec as PID 1, through the installed launcher: a new JVM in place; QEMU, both daemons and the
        // console untouched.
        step = System.nanoTime();
        ExecResult reexec = container.virtsup("reexec");
        Benchmark.record("guest: virtsup reexec (PID 1) until status answers with both daemons ready",
                VirtsupImageIT.since(step));
        assertEquals(0, reexec.exitCode(), reexec.describe() + "\n" + container.logs());
        Status inPlace = container.awaitAllRunning(UP);
        assertEquals(1, inPlace.supervisorPid(), "virtsup is still PID 1");
        assertEquals(virtlogd, inPlace.pidOf("virtlogd"), "virtlogd untouched by the re-exec");
        assertEquals(libvirtd, inPlace.pidOf("libvirtd"), "libvirtd untouched by the re-exec");
        assertTrue(container.logs().contains("started by a live re-exec (generation 1)"), container.logs());
        assertGuestRunning(container, qemu, "after virtsup reexec");
        awaitConsoleGrowth(container, "the guest's console log grows after virtsup re-executed itself");

        System.out.println("guest " + GUEST + ": QEMU pid " + qemu + " kept throughout; libvirtd now pid " + libvirtd
                + ", virtlogd pid " + virtlogd + " (kept); console log " + container.fileSize(CONSOLE_LOG) + " bytes");
        Status last = container.status();
        assertEquals(0, last.daemon("virtlogd").restarts(), "virtlogd was never restarted");
        assertEquals(1, last.daemon("libvirtd").restarts(),
                "libvirtd: the kill (an operator's restart does not count), counted across the re-exec");
        assertEquals(List.of(libvirtd), container.pidsOf("libvirtd"));

        // docker stop with the guest running: an orderly stop, and no signal from virtsup ever reached QEMU,
        // which logs the sender of a TERM or INT ("terminating on signal 15 from pid 1"); the guest ends with
        // the container (the kernel's SIGKILL when PID 1 exits leaves no such line).
        container.dockerStop(Duration.ofSeconds(60));
        assertEquals(0, container.awaitExit(UP), "virtsup's exit code after docker stop with a guest running");
        String qemuLog = container.readFile("/var/log/libvirt/qemu/" + GUEST + ".log");
        assertFalse(qemuLog.contains("terminating on signal"), "QEMU was signalled:\n" + qemuLog);
    }

    /**
     * SIGKILL is the one signal virtlogd cannot survive gracefully: the running
     * guest's console output is lost until it restarts (QEMU's writes fail and
     * a new virtlogd does not take them over). The guest itself keeps running,
     * virtsup restarts virtlogd and names the guest whose console is lost, and
     * the new virtlogd serves guests started after it.
     */
    @Test
    void aKilledVirtlogdIsRestartedTheGuestRunsOnAndVirtsupNamesItsLostConsole() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        int virtlogd = container.awaitAllRunning(UP).pidOf("virtlogd");
        container.writeFile("/tmp/guest.xml", guestXml(GUEST));
        container.exec("virsh", "-c", "qemu:///system", "create", "/tmp/guest.xml").orFail();
        int qemu = container.pidsOf(QEMU).get(0);
        awaitConsoleGrowth(container, "the guest's console log fills");

        long killed = System.nanoTime();
        container.exec("kill", "-KILL", Integer.toString(virtlogd)).orFail();
        container.awaitLog("while 1 guest(s) ran: their console output is lost until each guest restarts: ["
                + GUEST + " (qemu pid " + qemu + ")]", UP);
        int restarted = Poll.untilPresent("virtlogd runs again under a new pid", UP, () -> {
            Status now = container.status();
            return now.daemon("virtlogd").runningAndReady() && now.pidOf("virtlogd") != virtlogd
                    ? Optional.of(now.pidOf("virtlogd")) : Optional.empty();
        });
        Benchmark.record("guest: kill -9 virtlogd to a new virtlogd ready", VirtsupImageIT.since(killed));
        assertEquals(List.of(restarted), container.pidsOf("virtlogd"));
        assertGuestRunning(container, qemu, "after kill -9 of virtlogd");

        String second = GUEST + "-after";
        container.writeFile("/tmp/second.xml", guestXml(second));
        container.exec("virsh", "-c", "qemu:///system", "create", "/tmp/second.xml").orFail();
        awaitConsoleGrowth(container, "/var/log/libvirt/qemu/" + second + "-console.log",
                "a guest started after the new virtlogd logs its console");
    }

    /**
     * Run with {@code docker run --init} (compose's {@code init: true}), virtsup
     * is not PID 1; as a child subreaper it still adopts the guests' QEMU
     * (daemonized by libvirtd), reaps it when the guest is destroyed, and stops
     * cleanly on docker stop through the init.
     */
    @Test
    void underDockerInitVirtsupStillAdoptsAndReapsTheGuestsQemu() {
        ScenarioContainer container = scenarios.inVirtsupImage().withInit().start();
        int virtsup = container.awaitAllRunning(UP).supervisorPid();
        assertNotEquals(1, virtsup, "docker-init is PID 1");
        container.writeFile("/tmp/guest.xml", guestXml(GUEST));
        container.exec("virsh", "-c", "qemu:///system", "create", "/tmp/guest.xml").orFail();
        int qemu = container.pidsOf(QEMU).get(0);
        assertEquals(Integer.toString(virtsup), container.exec("ps", "-o", "ppid=", "-p", Integer.toString(qemu))
                .orFail().stdout().strip(), "QEMU's parent is virtsup, the subreaper");

        container.exec("virsh", "-c", "qemu:///system", "destroy", GUEST).orFail();
        Poll.until("QEMU (pid " + qemu + ") is gone, reaped, no zombie", UP, () -> {
            ExecResult ps = container.exec("ps", "-eo", "stat=,pid=");
            return ps.succeeded() && ps.stdout().lines().map(line -> line.strip().split("\\s+"))
                    .noneMatch(columns -> columns[0].startsWith("Z") || columns[1].equals(Integer.toString(qemu)));
        });

        container.dockerStop(Duration.ofSeconds(60));
        assertEquals(0, container.awaitExit(UP), "virtsup's exit code through docker-init");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    /** The console log's size now, then polled until it is larger: output written after now reached the file. */
    private static void awaitConsoleGrowth(ScenarioContainer container, String what) {
        awaitConsoleGrowth(container, CONSOLE_LOG, what);
    }

    private static void awaitConsoleGrowth(ScenarioContainer container, String consoleLog, String what) {
        long before = container.fileSize(consoleLog);
        long waiting = System.nanoTime();
        // SeaBIOS prints every 1.5 s or so; 30 s leaves room for a slow CI machine.
        Poll.until(what + " (" + consoleLog + " larger than " + before + " bytes)", Duration.ofSeconds(30),
                () -> container.fileSize(consoleLog) > before);
        System.out.println(what + ": " + before + " -> " + container.fileSize(consoleLog) + " bytes in "
                + VirtsupImageIT.since(waiting).toMillis() + " ms");
    }

    /** Waits until libvirtd runs under another pid than {@code old} and answers virsh; returns the new pid. */
    private static int awaitNewLibvirtd(ScenarioContainer container, int old) {
        Status status = Poll.untilPresent("libvirtd runs again under a pid other than " + old, UP, () -> {
            Status now = container.status();
            return now.daemon("libvirtd").runningAndReady() && now.pidOf("libvirtd") != old
                    ? Optional.of(now) : Optional.empty();
        });
        int pid = status.pidOf("libvirtd");
        assertNotEquals(old, pid);
        return pid;
    }

    /** libvirtd answers and reports the guest running, and its QEMU is the same process as at the start. */
    private static void assertGuestRunning(ScenarioContainer container, int qemu, String when) {
        // A libvirtd just started reports ready before its QEMU driver has reconnected: wait for its answer.
        ExecResult state = Poll.untilPresent("libvirtd answers virsh domstate " + GUEST + " (" + when + ")", UP,
                () -> Optional.of(container.exec("virsh", "-c", "qemu:///system", "domstate", GUEST))
                        .filter(ExecResult::succeeded));
        assertEquals("running", state.stdout().strip(), "the guest's state " + when);
        assertEquals(List.of(qemu), container.pidsOf(QEMU), "the guest's QEMU process " + when);
    }

    /** The rebooting guest, named {@code name}, its console logged to /var/log/libvirt/qemu/NAME-console.log. */
    private static String guestXml(String name) {
        try (InputStream in = GuestSurvivalIT.class.getResourceAsStream("/container/rebooting-guest.xml")) {
            assertNotNull(in, "the resource container/rebooting-guest.xml");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(GUEST, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

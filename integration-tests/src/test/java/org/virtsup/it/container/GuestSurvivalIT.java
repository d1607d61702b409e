package org.virtsup.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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
 * after libvirtd is killed, restarted and reloaded and after virtlogd
 * re-executes itself; its console, written through virtlogd, keeps flowing
 * after the re-execution.
 */
class GuestSurvivalIT {
    private static final String GUEST = "survivor";
    private static final String CONSOLE_LOG = "/var/log/libvirt/qemu/" + GUEST + "-console.log";
    private static final String QEMU = "qemu-system-x86_64";
    private static final Duration UP = Duration.ofSeconds(60);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void aGuestKeepsRunningAndLoggingThroughEveryDaemonRestartAndReexecution() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        container.awaitAllRunning(UP);
        container.writeFile("/tmp/guest.xml", guestXml());
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

        step = System.nanoTime();
        container.virtsup("reload").orFail();
        container.awaitAllRunning(UP);
        assertGuestRunning(container, qemu, "after virtsup reload");
        Benchmark.record("guest: virtsup reload to the guest seen running again", VirtsupImageIT.since(step));

        // SIGUSR1 to virtsup (PID 1): virtlogd re-executes, keeping the console's file open.
        int virtlogd = container.status().pidOf("virtlogd");
        step = System.nanoTime();
        container.signalPid1("USR1");
        container.awaitLog("virtlogd (pid " + virtlogd + ") re-executed itself and is ready again", UP);
        assertEquals(virtlogd, container.awaitAllRunning(UP).pidOf("virtlogd"), "virtlogd keeps its pid");
        assertGuestRunning(container, qemu, "after virtlogd re-executed itself");
        awaitConsoleGrowth(container, "the guest's console log grows after virtlogd re-executed itself");
        Benchmark.record("guest: SIGUSR1 to the console log growing again", VirtsupImageIT.since(step));

        Status last = container.status();
        assertEquals(0, last.daemon("virtlogd").restarts(), "virtlogd was never restarted");
        assertEquals(1, last.daemon("libvirtd").restarts(), "libvirtd: the kill (an operator's restart does not count)");
        assertEquals(List.of(libvirtd), container.pidsOf("libvirtd"));
    }

    /** The console log's size now, then polled until it is larger: output written after now reached the file. */
    private static void awaitConsoleGrowth(ScenarioContainer container, String what) {
        long before = container.fileSize(CONSOLE_LOG);
        long waiting = System.nanoTime();
        // SeaBIOS prints every 1.5 s or so; 30 s leaves room for a slow CI machine.
        Poll.until(what + " (" + CONSOLE_LOG + " larger than " + before + " bytes)", Duration.ofSeconds(30),
                () -> container.fileSize(CONSOLE_LOG) > before);
        System.out.println(what + ": " + before + " -> " + container.fileSize(CONSOLE_LOG) + " bytes in "
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

    private static String guestXml() {
        try (InputStream in = GuestSurvivalIT.class.getResourceAsStream("/container/rebooting-guest.xml")) {
            assertNotNull(in, "the resource container/rebooting-guest.xml");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

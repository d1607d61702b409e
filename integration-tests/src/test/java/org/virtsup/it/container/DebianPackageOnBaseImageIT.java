package org.virtsup.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * The Debian package on its own: installed with dpkg on the plain base image
 * (which holds its dependencies, and no libvirt accounts), checked, and run
 * as an operator would start it, not as PID 1.
 */
class DebianPackageOnBaseImageIT {
    private static final Duration UP = Duration.ofSeconds(60);
    private static final String RUN_LOG = "/var/log/virtsup-run.log";
    private static final String RUN_PID = "/run/virtsup-run.pid";
    private static final String RUN_EXIT = "/run/virtsup-run.exit";

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void installsChecksRunsBothDaemonsAndStopsOnTerm() {
        Path deb = PackagedDeb.require();
        // Docker's init reaps what the test leaves behind; virtsup, not PID 1 here, is a subreaper for its own.
        ScenarioContainer container = scenarios.onBaseImage().withInit().withCommand("sleep", "infinity")
                .withFile(deb, "/tmp/" + deb.getFileName()).start();
        assertFalse(container.exec("getent", "group", "libvirt").succeeded(), "the base image has no group libvirt");

        long installing = System.nanoTime();
        container.exec("dpkg", "-i", "/tmp/" + deb.getFileName()).orFail();
        Benchmark.record("package: dpkg -i on the base image", VirtsupImageIT.since(installing));
        assertTrue(container.exec("getent", "group", "libvirt").succeeded(), "the postinst creates group libvirt");

        ExecResult check = container.virtsup("check");
        assertEquals(0, check.exitCode(), check::describe);
        assertEquals("/etc/virtsup/config.scm: OK: supervises virtlogd and libvirtd", check.stdout().strip());

        // The QEMU driver's accounts, as Debian's libvirt-daemon-system makes them: without user and group
        // libvirt-qemu libvirtd exits right after starting, again and again. The postinst makes them.
        assertTrue(container.exec("getent", "group", "kvm").succeeded(), "the postinst creates group kvm");
        assertTrue(container.exec("getent", "group", "libvirt-qemu").succeeded(),
                "the postinst creates group libvirt-qemu");
        ExecResult qemuUser = container.exec("id", "-nG", "libvirt-qemu");
        assertTrue(qemuUser.succeeded(), "the postinst creates user libvirt-qemu: " + qemuUser.describe());
        assertEquals(List.of("libvirt-qemu", "kvm"), List.of(qemuUser.stdout().strip().split(" ")),
                "libvirt-qemu's groups");

        long starting = System.nanoTime();
        container.shell("setsid sh -c 'virtsup run >" + RUN_LOG + " 2>&1 & echo $! >" + RUN_PID + "; wait $!;"
                + " echo $? >" + RUN_EXIT + "' </dev/null >/dev/null 2>&1 &").orFail();
        int virtsup = Poll.untilPresent("virtsup run has written its pid", UP, () -> Optional
                .of(container.exec("cat", RUN_PID)).filter(ExecResult::succeeded)
                .map(result -> result.stdout().strip()).filter(pid -> !pid.isEmpty()).map(Integer::valueOf));
        Status status = container.awaitAllRunning(UP);
        Benchmark.record("package: virtsup run to both daemons running", VirtsupImageIT.since(starting));
        assertEquals(virtsup, status.supervisorPid(), "the supervisor answering is the one started");
        assertEquals(List.of(status.pidOf("virtlogd")), container.pidsOf("virtlogd"));
        assertEquals(List.of(status.pidOf("libvirtd")), container.pidsOf("libvirtd"));
        ExecResult plain = container.virtsup("status");
        assertEquals(0, plain.exitCode(), plain::describe);

        long stopping = System.nanoTime();
        container.exec("kill", "-TERM", Integer.toString(virtsup)).orFail();
        String exit = Poll.untilPresent("virtsup run has exited after SIGTERM", UP, () -> Optional
                .of(container.exec("cat", RUN_EXIT)).filter(ExecResult::succeeded).map(r -> r.stdout().strip()));
        Benchmark.record("package: SIGTERM to virtsup run exited", VirtsupImageIT.since(stopping));
        String log = container.exec("cat", RUN_LOG).orFail().stdout();
        assertEquals("0", exit, "virtsup run's exit code after SIGTERM:\n" + log);
        int libvirtdStopped = log.indexOf("libvirtd (pid " + status.pidOf("libvirtd") + ") stopped");
        int virtlogdStopped = log.indexOf("virtlogd (pid " + status.pidOf("virtlogd") + ") stopped");
        assertTrue(libvirtdStopped >= 0 && virtlogdStopped > libvirtdStopped,
                "libvirtd stops, then virtlogd:\n" + log);
        assertEquals(List.of(), container.pidsOf("libvirtd"), "no libvirtd left");
        assertEquals(List.of(), container.pidsOf("virtlogd"), "no virtlogd left");
    }
}

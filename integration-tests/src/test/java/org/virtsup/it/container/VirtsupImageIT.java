package org.virtsup.it.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * virtsup's image run as users run it: {@code virtsup run} is PID 1 (the
 * image's ENTRYPOINT), the packaged configuration applies, one container per
 * scenario.
 */
class VirtsupImageIT {
    /** virtsup itself starts in 1-2 s; the first libvirtd start probes QEMU (1-2 s); the rest is room for CI. */
    private static final Duration UP = Duration.ofSeconds(60);
    /** Far above the daemons' stop timeouts (20 s each): only a hang ends here. */
    private static final Duration DOCKER_STOP_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void bothDaemonsComeUpAndTheHealthCheckTurnsHealthy() {
        long started = System.nanoTime();
        // The image checks every 10 s; 1 s here so the verdict comes fast. The check itself is the image's.
        ScenarioContainer container = scenarios.inVirtsupImage().withHealthCheckInterval(Duration.ofSeconds(1)).start();
        Benchmark.record("image: container created and started", since(started));
        assertEquals(List.of("CMD", "/usr/bin/virtsup", "status"),
                container.inspect().getConfig().getHealthcheck().getTest(),
                "the container runs the image's own health check");

        long running = System.nanoTime();
        Status status = container.awaitAllRunning(UP);
        Benchmark.record("image: container started to both daemons running (virtsup status 0)", since(running));
        assertEquals(1, status.supervisorPid(), "virtsup is PID 1");
        assertEquals(List.of("virtlogd", "libvirtd"), status.daemons().stream().map(Status.DaemonStatus::name).toList());
        assertEquals(List.of(status.pidOf("virtlogd")), container.pidsOf("virtlogd"));
        assertEquals(List.of(status.pidOf("libvirtd")), container.pidsOf("libvirtd"));
        ExecResult plain = container.virtsup("status");
        assertEquals(0, plain.exitCode(), plain::describe);
        // What each health check costs: the CLI's start, timed inside the container (no docker exec overhead).
        ExecResult timed = container.shell("start=$(date +%s%N); for i in 1 2 3 4 5; do virtsup status >/dev/null"
                + " || exit 1; done; echo $(( ($(date +%s%N) - start) / 5 ))").orFail();
        Benchmark.record("image: virtsup status inside the container (the health check), mean of 5",
                Duration.ofNanos(Long.parseLong(timed.stdout().strip())));
        ExecResult rss = container.exec("ps", "-o", "rss=", "-p", "1").orFail();
        Sizes.record("image: virtsup (PID 1) resident memory with both daemons up",
                Long.parseLong(rss.stdout().strip()) * 1024);

        Poll.until("Docker's health check says healthy", UP,
                () -> container.healthStatus().filter(health -> !health.equals("starting")).isPresent());
        assertEquals(Optional.of("healthy"), container.healthStatus(), () -> "health log: "
                + container.inspect().getState().getHealth().getLog());
        Benchmark.record("image: container start to healthy (1 s interval)", since(started));
    }

    @Test
    void theHealthCheckTurnsUnhealthyWhileLibvirtdFailsAndHealthyAfterTheFix() {
        ScenarioContainer container = scenarios.inVirtsupImage().withHealthCheckInterval(Duration.ofSeconds(1)).start();
        int libvirtd = container.awaitAllRunning(UP).pidOf("libvirtd");
        awaitHealth(container, "healthy");

        // A qemu.conf libvirt refuses: every new libvirtd exits right after starting, and virtsup backs off.
        container.shell("cp /etc/libvirt/qemu.conf /tmp/qemu.conf.good && printf 'user = \\n' >/etc/libvirt/qemu.conf")
                .orFail();
        long failing = System.nanoTime();
        container.exec("kill", "-KILL", Integer.toString(libvirtd)).orFail();
        awaitHealth(container, "unhealthy");
        Benchmark.record("image: libvirtd failing to the health check unhealthy (1 s interval, 3 retries)",
                since(failing));
        ExecResult status = container.virtsup("status");
        assertEquals(3, status.exitCode(), "virtsup status while libvirtd cannot start: " + status.describe());
        assertTrue(status.stdout().contains("/etc/libvirt/qemu.conf:1"), "status shows libvirtd's reason:\n"
                + status.stdout());

        // Fixed, then SIGHUP to virtsup: a daemon in back-off is tried again at once.
        container.exec("cp", "/tmp/qemu.conf.good", "/etc/libvirt/qemu.conf").orFail();
        long fixed = System.nanoTime();
        container.signalPid1("HUP");
        container.awaitAllRunning(UP);
        awaitHealth(container, "healthy");
        Benchmark.record("image: fix and SIGHUP to the health check healthy again", since(fixed));
    }

    private static void awaitHealth(ScenarioContainer container, String verdict) {
        Poll.until("Docker's health check says " + verdict, UP,
                () -> container.healthStatus().equals(Optional.of(verdict)));
    }

    @Test
    void dockerStopStopsLibvirtdBeforeVirtlogdAndExitsZero() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        Status status = container.awaitAllRunning(UP);
        int libvirtd = status.pidOf("libvirtd");
        int virtlogd = status.pidOf("virtlogd");

        long stopping = System.nanoTime();
        container.dockerStop(DOCKER_STOP_TIMEOUT);
        Duration stopped = since(stopping);
        Benchmark.record("image: docker stop (TERM to virtsup until the container ended)", stopped);

        // Docker's KILL after the timeout would show as 137: 0 says virtsup ended by itself.
        assertEquals(0, container.awaitExit(Duration.ofSeconds(10)), container::logs);
        String log = container.logs();
        int libvirtdStopped = log.indexOf("libvirtd (pid " + libvirtd + ") stopped");
        int virtlogdStopped = log.indexOf("virtlogd (pid " + virtlogd + ") stopped");
        assertTrue(libvirtdStopped >= 0, "virtsup logs that libvirtd stopped:\n" + log);
        assertTrue(virtlogdStopped > libvirtdStopped, "virtlogd stops after libvirtd:\n" + log);
        assertFalse(log.contains("sending SIGKILL"), "no daemon needed SIGKILL:\n" + log);
    }

    @Test
    void comesBackUpAfterTheContainerWasKilledAndStartedAgain() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        container.awaitAllRunning(UP);
        // SIGKILL to PID 1 ends the whole container at once: pid files, sockets and rendered files stay behind.
        container.signalPid1("KILL");
        assertEquals(137, container.awaitExit(UP));
        assertTrue(container.logs().contains("ready: virtlogd"), container.logs());

        long starting = System.nanoTime();
        container.dockerStart();
        Status status = container.awaitAllRunning(UP);
        Benchmark.record("image: docker start after SIGKILL to both daemons running", since(starting));
        assertEquals(1, status.supervisorPid());
        Poll.until("the new libvirtd answers virsh", UP,
                () -> container.exec("virsh", "-c", "qemu:///system", "version").succeeded());
    }

    @Test
    void usr1MakesVirtlogdReexecuteInPlaceAndNothingRestarts() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        Status before = container.awaitAllRunning(UP);
        int virtlogd = before.pidOf("virtlogd");

        long signalled = System.nanoTime();
        container.signalPid1("USR1");
        container.awaitLog("virtlogd (pid " + virtlogd + ") re-executed itself and is ready again", UP);
        Benchmark.record("image: SIGUSR1 to virtlogd ready again", since(signalled));

        Status after = container.awaitAllRunning(UP);
        System.out.println("SIGUSR1: virtlogd pid " + virtlogd + " -> " + after.pidOf("virtlogd"));
        assertEquals(virtlogd, after.pidOf("virtlogd"), "virtlogd keeps its pid");
        assertEquals(before.pidOf("libvirtd"), after.pidOf("libvirtd"), "libvirtd is left alone");
        assertEquals(List.of(virtlogd), container.pidsOf("virtlogd"), "one virtlogd, the same process");
        assertEquals(0, after.daemon("virtlogd").restarts(), "a re-execution is not a restart");
        assertEquals(0, after.daemon("libvirtd").restarts());
        assertTrue(container.isRunning(), "virtsup goes on");
    }

    @Test
    void orphansReparentedToPid1AreReaped() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        container.awaitAllRunning(UP);

        // Each sh leaves a sleep behind whose parent has exited: the kernel gives it to PID 1, virtsup.
        // The sleeps last until this test ends them, so they are surely there to be seen first.
        int orphans = 5;
        container.shell("for i in $(seq " + orphans + "); do sh -c '(exec sleep 600 </dev/null >/dev/null 2>&1 &)';"
                + " done").orFail();
        ExecResult sleeps = container.exec("ps", "-o", "pid=,ppid=", "-C", "sleep").orFail();
        List<String> adopted = sleeps.stdout().lines().map(line -> line.strip().split("\\s+"))
                .filter(columns -> columns.length == 2 && columns[1].equals("1")).map(columns -> columns[0]).toList();
        assertEquals(orphans, adopted.size(), "the orphans are PID 1's children:\n" + sleeps.stdout());

        long ending = System.nanoTime();
        List<String> kill = new ArrayList<>(List.of("kill", "-TERM"));
        kill.addAll(adopted);
        container.exec(kill.toArray(String[]::new)).orFail();
        Poll.until("no zombie and no orphaned sleep left in the container", Duration.ofSeconds(30), () -> {
            ExecResult ps = container.exec("ps", "-eo", "stat=,comm=");
            return ps.succeeded() && ps.stdout().lines().map(String::strip)
                    .noneMatch(line -> line.startsWith("Z") || line.endsWith(" sleep"));
        });
        Benchmark.record("image: " + orphans + " orphans killed and reaped by PID 1", since(ending));
        assertTrue(container.awaitAllRunning(UP).allRunningAndReady(), "the orphans' exits disturbed no daemon");
    }

    @Test
    void anInvalidMountedConfigurationEndsTheContainerWith78NamingFileLineAndField(@TempDir Path directory)
            throws IOException {
        Path config = directory.resolve("config.scm");
        Files.writeString(config, String.join("\n",
                "(service virtlog-service-type",
                " (virtlog-configuration",
                "  (max-clints 10)))",
                "(service libvirt-service-type",
                " (libvirt-configuration))",
                ""));
        ScenarioContainer container = scenarios.inVirtsupImage()
                .withReadOnlyBind(config, "/etc/virtsup/config.scm").start();

        long exitCode = container.awaitExit(UP);
        String log = container.logs();
        assertEquals(78, exitCode, "exit code of virtsup run on an invalid configuration:\n" + log);
        assertTrue(log.contains("/etc/virtsup/config.scm:3:"), "the file and line are named:\n" + log);
        assertTrue(log.contains("'max-clints'"), "the misspelt field is named:\n" + log);
        assertTrue(log.contains("max-clients"), "the field meant is suggested:\n" + log);
        assertFalse(log.contains("virtlogd started") || log.contains("libvirtd started"),
                "nothing is started on an invalid configuration:\n" + log);
    }

    @Test
    void aLibvirtdThatNeverStartsEndsTheContainerWhenExitOnFailureIsSet(@TempDir Path directory) throws IOException {
        Path config = directory.resolve("config.scm");
        Files.writeString(config, String.join("\n",
                "(service virtlog-service-type (virtlog-configuration))",
                "(service libvirt-service-type (libvirt-configuration))",
                "(supervisor-configuration",
                " (respawn-limit 2)",
                " (exit-on-failure? #t))",
                ""));
        // libvirt refuses this qemu.conf after libvirtd said READY=1: its QEMU driver fails and it exits, every time.
        Path qemuConf = directory.resolve("qemu.conf");
        Files.writeString(qemuConf, "user = \n");
        long started = System.nanoTime();
        ScenarioContainer container = scenarios.inVirtsupImage()
                .withReadOnlyBind(config, "/etc/virtsup/config.scm")
                .withReadOnlyBind(qemuConf, "/etc/libvirt/qemu.conf").start();

        long exitCode = container.awaitExit(UP);
        Benchmark.record("image: container start to exit after respawn-limit 2", since(started));
        String log = container.logs();
        assertEquals(1, exitCode, "virtsup's exit code when libvirtd failed and exit-on-failure? is set:\n" + log);
        assertTrue(log.contains("libvirtd failed 2 starts in a row (respawn-limit 2)"), log);
        assertTrue(log.contains("/etc/libvirt/qemu.conf:1"), "libvirtd's own reason reaches the log:\n" + log);
        assertTrue(log.matches("(?s).*virtlogd \\(pid \\d+\\) stopped.*"), "virtlogd is stopped, not left:\n" + log);
    }

    /**
     * The way to change the configuration of a running container: bind a
     * directory on /etc/virtsup, edit the file on the host, virtsup reload.
     * Editors and sed -i replace the file (a new inode), which a bound
     * directory shows at once; a file bound on its own would keep showing
     * the old one.
     */
    @Test
    void anEditInABoundConfigurationDirectoryIsAppliedByReload(@TempDir Path directory) throws IOException {
        Path config = directory.resolve("config.scm");
        Files.writeString(config, virtlogWithMaxSize(1_000_000));
        ScenarioContainer container = scenarios.inVirtsupImage().withReadOnlyBind(directory, "/etc/virtsup").start();
        int virtlogd = container.awaitAllRunning(UP).pidOf("virtlogd");
        assertTrue(container.exec("cat", "/run/virtsup/virtlogd.conf").orFail().stdout()
                .contains("max_size = 1000000\n"));

        Path edited = directory.resolve("config.scm.new");
        Files.writeString(edited, virtlogWithMaxSize(2_000_000));
        Files.move(edited, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ExecResult reload = container.virtsup("reload").orFail();
        assertTrue(reload.stdout().contains("virtlogd.conf"), "virtlogd.conf changed: " + reload.stdout());
        assertTrue(container.exec("cat", "/run/virtsup/virtlogd.conf").orFail().stdout()
                .contains("max_size = 2000000\n"), "the edit reached the rendered file");
        container.awaitLog("virtlogd (pid " + virtlogd + ") re-executed itself and is ready again", UP);
        assertEquals(virtlogd, container.awaitAllRunning(UP).pidOf("virtlogd"));
    }

    private static String virtlogWithMaxSize(long bytes) {
        return String.join("\n",
                "(service virtlog-service-type",
                " (virtlog-configuration",
                "  (max-size " + bytes + ")))",
                "(service libvirt-service-type (libvirt-configuration))",
                "");
    }

    @Test
    void killedLibvirtdIsRestartedAndAnswers() {
        ScenarioContainer container = scenarios.inVirtsupImage().start();
        Status before = container.awaitAllRunning(UP);
        int libvirtd = before.pidOf("libvirtd");
        container.exec("virsh", "-c", "qemu:///system", "version");

        long killed = System.nanoTime();
        container.exec("kill", "-KILL", Integer.toString(libvirtd)).orFail();
        Status after = Poll.untilPresent("libvirtd runs again under a new pid", UP, () -> {
            Status status = container.status();
            return status.daemon("libvirtd").runningAndReady() && status.pidOf("libvirtd") != libvirtd
                    ? Optional.of(status) : Optional.empty();
        });
        Poll.until("the new libvirtd answers virsh", UP,
                () -> container.exec("virsh", "-c", "qemu:///system", "version").succeeded());
        Benchmark.record("image: kill -9 libvirtd to a new libvirtd answering virsh", since(killed));

        int restarted = after.pidOf("libvirtd");
        System.out.println("kill -9 libvirtd: pid " + libvirtd + " -> " + restarted);
        assertNotEquals(libvirtd, restarted);
        assertEquals(List.of(restarted), container.pidsOf("libvirtd"), "one libvirtd, the new one");
        assertEquals(1, after.daemon("libvirtd").restarts());
        assertEquals(Optional.of("killed by signal 9 (SIGKILL)"), after.daemon("libvirtd").lastExit());
        assertEquals(before.pidOf("virtlogd"), after.pidOf("virtlogd"), "virtlogd is left alone");
    }

    static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }
}

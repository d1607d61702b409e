package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * virtsup as a container's PID 1 supervising Debian's real virtlogd and
 * libvirtd: start in order with the rendered configuration applied, then
 * {@code docker stop}, on a container of that test's own; on one container
 * the other tests share: orphans reaped, SIGUSR1, kill -9 of each daemon,
 * SIGHUP with a changed virtlogd setting, a changed libvirtd setting, a burst
 * of changes and an invalid file, a second virtsup refused.
 *
 * <p>Each test on the shared container starts from the same host, which
 * {@link #bothDaemonsRunTheFirstConfiguration()} puts back and checks: both
 * daemons running and ready with the class's configuration, in the file and
 * applied. A test may change the file or kill a daemon and leave it so.
 */
class SupervisedDaemonsIT {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String LIBVIRTD_PID = "/run/libvirtd.pid";
    private static final String VIRTLOGD_PID = "/run/virtlogd.pid";
    private static final int BURST_LAST_WORKERS = 13;

    /** Values away from the defaults (max-workers 20, virtlog max-clients 1024, log-filters "3:remote 4:event"). */
    private static String configuration(String virtlogFilters, int virtlogMaxClients, int libvirtMaxWorkers) {
        return """
                (supervisor-configuration
                 (restart-delay-max 4)
                 (stop-timeout 10))
                (service virtlog-service-type
                         (virtlog-configuration
                          (log-filters "%s")
                          (max-clients %d)))
                (service libvirt-service-type
                         (libvirt-configuration
                          (max-workers %d)))
                """.formatted(virtlogFilters, virtlogMaxClients, libvirtMaxWorkers);
    }

    /** What each container of the class starts with. */
    private static final String FIRST = configuration("3:remote", 77, 7);

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withConfiguration(FIRST);

    @RegisterExtension
    final OwnContainer own = new OwnContainer();

    /**
     * Puts the class's configuration back if a test changed it, and virtlogd's
     * client limit, which only a start applies, then waits until both daemons
     * run it.
     */
    @BeforeEach
    void bothDaemonsRunTheFirstConfiguration() {
        host.restoreConfiguration(FIRST);
        Poll.until("both daemons run the file's configuration: virtlogd's filters 3:remote, libvirtd's max-workers 7",
                UP_TIMEOUT, () -> "3:*remote*".equals(virtlogdFilters())
                        && "7".equals(AdminFields.shown(host, AdminFields.LIBVIRTD, "maxWorkers",
                                "srv-threadpool-info", "libvirtd"))
                        && SupervisorStatus.readyRunningTheFile(host) && host.libvirtdAnswers());
        if (!"77".equals(AdminFields.shown(host, AdminFields.VIRTLOGD, "nclients_max",
                "srv-clients-info", "virtlogd"))) {
            host.virtsup("restart", "virtlogd").orFail(); // replies once the new virtlogd is ready
        }
    }

    /** A host's life on a container of its own: the start is the container's first, docker stop its end. */
    @Test
    void startsInOrderWithTheRenderedConfigurationAndDockerStopStopsInReverseOrder() {
        SupervisorContainer fresh = own.start(SupervisorContainer.create().preparedForLibvirt().withConfiguration(FIRST));
        bothDaemonsComeUpInOrderWithTheRenderedConfiguration(fresh);
        dockerStopStopsLibvirtdThenVirtlogdAndExitsZero(fresh);
    }

    private static void bothDaemonsComeUpInOrderWithTheRenderedConfiguration(SupervisorContainer fresh) {
        Duration up = Poll.until("libvirtd answers virsh -c qemu:///system version", UP_TIMEOUT,
                fresh::libvirtdAnswers);
        Benchmark.record("virtsup as PID 1: libvirtd answers virsh after the container started", up);
        int virtlogd = fresh.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = fresh.pidFile(LIBVIRTD_PID).orElseThrow();
        ProcessStat virtlogdStat = ProcessStat.of(fresh, virtlogd).orElseThrow();
        ProcessStat libvirtdStat = ProcessStat.of(fresh, libvirtd).orElseThrow();
        SupervisorStatus status = SupervisorStatus.of(fresh);
        VirtsupLog log = VirtsupLog.of(fresh);
        assertAll(
                () -> assertEquals(1, status.supervisorPid(), "virtsup is PID 1"),
                () -> assertEquals(virtlogd, SupervisorStatus.number(status.virtlogd(), "pid"),
                        "virtlogd's pid file and virtsup status agree"),
                () -> assertEquals(libvirtd, SupervisorStatus.number(status.libvirtd(), "pid"),
                        "libvirtd's pid file and virtsup status agree"),
                () -> assertEquals(1, virtlogdStat.parentPid(), "virtlogd's parent is virtsup (PID 1)"),
                () -> assertEquals(1, libvirtdStat.parentPid(), "libvirtd's parent is virtsup (PID 1)"),
                () -> assertTrue(virtlogdStat.startTime() <= libvirtdStat.startTime(),
                        "virtlogd started before libvirtd (/proc/PID/stat field 22: " + virtlogdStat.startTime()
                                + " vs " + libvirtdStat.startTime() + ")"),
                () -> assertTrue(log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") is ready") >= 0
                                && log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") is ready")
                                < log.indexOf("virtsup: libvirtd started (pid"),
                        "the log shows virtlogd ready before libvirtd is started"),
                () -> assertEquals(7, AdminFields.read(fresh, AdminFields.LIBVIRTD, "maxWorkers",
                        "srv-threadpool-info", "libvirtd"), "libvirtd applied max-workers 7"),
                () -> assertEquals(77, AdminFields.read(fresh, AdminFields.VIRTLOGD, "nclients_max",
                        "srv-clients-info", "virtlogd"), "virtlogd applied max-clients 77"));
    }

    @Test
    void reapsOrphansAsPid1() {
        // sh leaves its background sleep behind: the orphan is re-parented to PID 1, which must reap it.
        ExecResult made = host.exec("sh", "-c", "sleep 1 </dev/null >/dev/null 2>&1 & echo $!").orFail();
        int orphan = Integer.parseInt(made.stdout().trim());
        ProcessStat seen = ProcessStat.of(host, orphan).orElseThrow(
                () -> new AssertionError("the orphan (pid " + orphan + ") ended before it could be seen"));
        assertEquals(1, seen.parentPid(), "the orphan is re-parented to PID 1");
        Duration gone = Poll.until("the orphan (pid " + orphan + ") has ended and was reaped", Duration.ofSeconds(10),
                () -> ProcessStat.of(host, orphan).isEmpty());
        Benchmark.record("orphan of 1 s (sleep 1) gone after it was seen", gone);
        Poll.until("no zombie is left in the container", Duration.ofSeconds(10),
                () -> !host.exec("ps", "-eo", "stat=").orFail().stdout().lines().anyMatch(s -> s.startsWith("Z")));
    }

    @Test
    void usr1ReexecutesVirtlogdInPlaceWithoutARestart() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        long started = ProcessStat.of(host, virtlogd).orElseThrow().startTime();
        String reexecuted = "virtsup: virtlogd (pid " + virtlogd + ") re-executed itself and is ready again";
        int before = VirtsupLog.of(host).count(reexecuted);
        int restarts = SupervisorStatus.number(SupervisorStatus.of(host).virtlogd(), "restarts");
        host.signalPid1("USR1");
        Duration again = Poll.until("virtsup logs that virtlogd re-executed itself", Duration.ofSeconds(20),
                () -> VirtsupLog.of(host).count(reexecuted) > before);
        Benchmark.record("SIGUSR1 to virtsup until virtlogd is ready again", again);
        ProcessStat after = ProcessStat.of(host, virtlogd).orElseThrow(
                () -> new AssertionError("virtlogd (pid " + virtlogd + ") is gone after SIGUSR1"));
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(started, after.startTime(), "the same process (same start time), re-executed"),
                () -> assertEquals(1, after.parentPid(), "still virtsup's child"),
                () -> AdminFields.virtAdmin(host, AdminFields.VIRTLOGD, "srv-list").orFail(),
                () -> assertEquals(virtlogd, SupervisorStatus.number(status.virtlogd(), "pid")),
                () -> assertEquals(restarts, SupervisorStatus.number(status.virtlogd(), "restarts"),
                        "a re-execution is not a restart"),
                () -> assertEquals("RUNNING", status.virtlogd().get("state")));
    }

    @Test
    void killedLibvirtdIsRestartedAndTheSignalLogged() {
        int killed = host.pidFile(LIBVIRTD_PID).orElseThrow();
        int restartsBefore = SupervisorStatus.number(SupervisorStatus.of(host).libvirtd(), "restarts");
        long sent = System.nanoTime();
        host.exec("kill", "-KILL", Integer.toString(killed)).orFail();
        int replacement = Poll.untilPresent("a new libvirtd, child of virtsup, wrote its pid file", UP_TIMEOUT, () -> {
            var pid = host.pidFile(LIBVIRTD_PID);
            if (pid.isEmpty() || pid.getAsInt() == killed) {
                return Optional.empty();
            }
            return ProcessStat.of(host, pid.getAsInt()).filter(stat -> stat.parentPid() == 1 && !stat.zombie())
                    .map(stat -> pid.getAsInt());
        });
        Duration toNewPid = Duration.ofNanos(System.nanoTime() - sent);
        Poll.until("the new libvirtd answers virsh", UP_TIMEOUT, host::libvirtdAnswers);
        Duration toAnswer = Duration.ofNanos(System.nanoTime() - sent);
        Benchmark.record("kill -9 libvirtd until a new libvirtd wrote its pid file", toNewPid);
        Benchmark.record("kill -9 libvirtd until the new libvirtd answers virsh", toAnswer);
        SupervisorStatus status = SupervisorStatus.of(host);
        VirtsupLog log = VirtsupLog.of(host);
        assertAll(
                () -> assertNotEquals(killed, replacement),
                () -> assertTrue(log.has("virtsup: libvirtd (pid " + killed + ") killed by signal 9 (SIGKILL)"),
                        "the log names the exit signal"),
                () -> assertTrue(log.indexOf("virtsup: libvirtd (pid " + killed + ") killed by signal 9")
                                < log.indexOf("virtsup: libvirtd started (pid " + replacement + ")"),
                        "the death is logged before the new process's start"),
                () -> assertEquals("killed by signal 9 (SIGKILL)", SupervisorStatus.lastExit(status.libvirtd())),
                () -> assertEquals(restartsBefore + 1, SupervisorStatus.number(status.libvirtd(), "restarts")),
                () -> assertEquals(replacement, SupervisorStatus.number(status.libvirtd(), "pid")));
    }

    /** kill -9 of virtlogd: a new virtlogd, and libvirtd, which only connects to it per guest, keeps running. */
    @Test
    void killedVirtlogdIsRestartedAndLibvirtdKeepsRunning() {
        int killed = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        int restartsBefore = SupervisorStatus.number(SupervisorStatus.of(host).virtlogd(), "restarts");
        long sent = System.nanoTime();
        host.exec("kill", "-KILL", Integer.toString(killed)).orFail();
        int replacement = Poll.untilPresent("a new virtlogd, child of virtsup, answers virt-admin", UP_TIMEOUT, () -> {
            var pid = host.pidFile(VIRTLOGD_PID);
            if (pid.isEmpty() || pid.getAsInt() == killed
                    || !AdminFields.virtAdmin(host, AdminFields.VIRTLOGD, "srv-list").succeeded()) {
                return Optional.empty();
            }
            return ProcessStat.of(host, pid.getAsInt()).filter(stat -> stat.parentPid() == 1 && !stat.zombie())
                    .map(stat -> pid.getAsInt());
        });
        Benchmark.record("kill -9 virtlogd until a new virtlogd answers virt-admin",
                Duration.ofNanos(System.nanoTime() - sent));
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertNotEquals(killed, replacement),
                () -> assertTrue(VirtsupLog.of(host).has("virtsup: virtlogd (pid " + killed
                        + ") killed by signal 9 (SIGKILL)"), "the log names the exit signal"),
                () -> assertEquals(restartsBefore + 1, SupervisorStatus.number(status.virtlogd(), "restarts")),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow(), "libvirtd kept running"),
                () -> assertEquals(libvirtd, SupervisorStatus.number(status.libvirtd(), "pid")),
                () -> assertTrue(host.libvirtdAnswers()));
    }

    /**
     * virtlogd re-executes itself for a changed virtlogd.conf (it has no
     * SIGHUP): the log settings are re-read on the way, but libvirt 9.0
     * restores its server's client limit from the state it saved before
     * re-executing, so a new max-clients is not applied until virtlogd next
     * starts; virtsup says so rather than restarting virtlogd, which would
     * cut running guests' console logs. Then what virtsup advises: a restart
     * applies it.
     */
    @Test
    void aChangedVirtlogdSettingIsReexecutedOnHupAndItsClientLimitAppliedByARestart() {
        hupAppliesAChangedVirtlogdSettingByReexecution();
        restartingVirtlogdAppliesItsNewClientLimit();
    }

    private static void hupAppliesAChangedVirtlogdSettingByReexecution() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        long started = ProcessStat.of(host, virtlogd).orElseThrow().startTime();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        assertEquals("3:*remote*", virtlogdFilters());
        int restarts = SupervisorStatus.number(SupervisorStatus.of(host).virtlogd(), "restarts");
        host.writeFile(SupervisorContainer.CONFIG, configuration("2:logging", 78, 7));
        long sent = System.nanoTime();
        host.signalPid1("HUP");
        Poll.until("virtsup re-executes virtlogd for its changed file", Duration.ofSeconds(20),
                () -> VirtsupLog.of(host).hasLineWith("virtsup: ", "virtlogd.conf changed",
                        "virtlogd (pid " + virtlogd + ") re-executes itself in place"));
        Poll.until("virtlogd reports the new log filters", Duration.ofSeconds(20),
                () -> "2:*logging*".equals(virtlogdFilters()));
        Benchmark.record("SIGHUP with new virtlog log-filters until virtlogd reports them",
                Duration.ofNanos(System.nanoTime() - sent));
        assertAll(
                () -> assertEquals(started, ProcessStat.of(host, virtlogd).orElseThrow().startTime(),
                        "virtlogd is the same process"),
                () -> assertEquals(1, ProcessStat.of(host, virtlogd).orElseThrow().parentPid()),
                () -> assertEquals(restarts, SupervisorStatus.number(SupervisorStatus.of(host).virtlogd(), "restarts"),
                        "a re-execution is not a restart"),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow(),
                        "libvirtd's file did not change: it keeps running"),
                () -> assertTrue(host.libvirtdAnswers()),
                () -> assertEquals(77, AdminFields.read(host, AdminFields.VIRTLOGD, "nclients_max",
                        "srv-clients-info", "virtlogd"), "libvirt keeps virtlogd's client limit across re-execution"),
                () -> assertTrue(VirtsupLog.of(host).has("virtlog max-clients 78 takes effect when virtlogd next"
                        + " starts"), "virtsup says when the new max-clients applies"));
    }

    /** What virtsup's warning advises: a restart applies the new client limit. */
    private static void restartingVirtlogdAppliesItsNewClientLimit() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        long sent = System.nanoTime();
        host.virtsup("restart", "virtlogd").orFail();
        Benchmark.record("virtsup restart virtlogd (the CLI's whole run)", Duration.ofNanos(System.nanoTime() - sent));
        int restarted = host.pidFile(VIRTLOGD_PID).orElseThrow();
        assertAll(
                () -> assertNotEquals(virtlogd, restarted, "a new virtlogd"),
                () -> assertEquals(1, ProcessStat.of(host, restarted).orElseThrow().parentPid()),
                () -> assertEquals(78, AdminFields.read(host, AdminFields.VIRTLOGD, "nclients_max",
                        "srv-clients-info", "virtlogd"), "the new virtlogd applies max-clients 78"),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow(), "libvirtd kept running"),
                () -> assertTrue(host.libvirtdAnswers()));
    }

    /** virtlogd's log filters as it applied them, "" when virt-admin cannot tell (e.g. mid re-execution). */
    private static String virtlogdFilters() {
        ExecResult filters = AdminFields.virtAdmin(host, AdminFields.VIRTLOGD, "daemon-log-filters");
        String label = "Logging filters:";
        return filters.stdout().lines().map(String::trim).filter(line -> line.startsWith(label))
                .map(line -> line.substring(label.length()).trim()).findFirst().orElse("");
    }

    @Test
    void hupRestartsLibvirtdForAChangedLibvirtdSetting() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        host.writeFile(SupervisorContainer.CONFIG, configuration("3:remote", 77, 9));
        long sent = System.nanoTime();
        host.signalPid1("HUP");
        Poll.until("a new libvirtd reports max-workers 9", UP_TIMEOUT, () -> {
            var pid = host.pidFile(LIBVIRTD_PID);
            if (pid.isEmpty() || pid.getAsInt() == libvirtd) {
                return false;
            }
            ExecResult pool = AdminFields.virtAdmin(host, AdminFields.LIBVIRTD, "srv-threadpool-info", "libvirtd");
            return pool.succeeded() && "9".equals(AdminFields.fields(pool.stdout()).get("maxWorkers"));
        });
        Poll.until("the new libvirtd answers virsh", UP_TIMEOUT, host::libvirtdAnswers);
        Benchmark.record("SIGHUP with a new max-workers until the restarted libvirtd answers virsh",
                Duration.ofNanos(System.nanoTime() - sent));
        int restarted = host.pidFile(LIBVIRTD_PID).orElseThrow();
        assertAll(
                () -> assertNotEquals(libvirtd, restarted, "libvirtd was restarted"),
                () -> assertEquals(1, ProcessStat.of(host, restarted).orElseThrow().parentPid()),
                () -> assertEquals(virtlogd, host.pidFile(VIRTLOGD_PID).orElseThrow(), "virtlogd kept running"),
                () -> assertTrue(VirtsupLog.of(host).has("virtsup: libvirtd.conf changed; restarting libvirtd (pid "
                        + libvirtd + ")")));
    }

    /** SIGHUPs faster than libvirtd restarts: whatever happens in between, the last file wins. */
    @Test
    void aBurstOfReloadsEndsWithTheLastFileApplied() {
        int before = host.pidFile(LIBVIRTD_PID).orElseThrow();
        for (int workers : new int[] {10, 11, 12, BURST_LAST_WORKERS}) {
            host.writeFile(SupervisorContainer.CONFIG, configuration("3:remote", 77, workers));
            host.signalPid1("HUP");
        }
        Poll.until("libvirtd runs with max-workers " + BURST_LAST_WORKERS + " and virtsup agrees", UP_TIMEOUT, () -> {
            var pid = host.pidFile(LIBVIRTD_PID);
            ExecResult pool = AdminFields.virtAdmin(host, AdminFields.LIBVIRTD, "srv-threadpool-info", "libvirtd");
            if (pid.isEmpty() || pid.getAsInt() == before || !pool.succeeded()
                    || !Integer.toString(BURST_LAST_WORKERS)
                            .equals(AdminFields.fields(pool.stdout()).get("maxWorkers"))) {
                return false;
            }
            SupervisorStatus status = SupervisorStatus.of(host);
            return "RUNNING".equals(status.libvirtd().get("state"))
                    && SupervisorStatus.number(status.libvirtd(), "pid") == pid.getAsInt();
        });
        assertAll(
                () -> assertTrue(host.exec("grep", "-qx", "max_workers = " + BURST_LAST_WORKERS,
                        "/run/virtsup/libvirtd.conf").succeeded(), "the rendered file is the last one"),
                () -> assertTrue(host.libvirtdAnswers()));
    }

    @Test
    void hupWithAnInvalidConfigurationChangesNothing() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        host.writeFile(SupervisorContainer.CONFIG, configuration("3:remote", 77, 0));
        host.signalPid1("HUP");
        Poll.until("virtsup refuses the reload", Duration.ofSeconds(20),
                () -> VirtsupLog.of(host).has("virtsup: reload refused: " + SupervisorContainer.CONFIG + ":10:"));
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(virtlogd, host.pidFile(VIRTLOGD_PID).orElseThrow()),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow()),
                () -> assertEquals(7, AdminFields.read(host, AdminFields.LIBVIRTD, "maxWorkers",
                        "srv-threadpool-info", "libvirtd"), "libvirtd keeps the previous value"),
                () -> assertTrue(host.exec("grep", "-qx", "max_workers = 7",
                        "/run/virtsup/libvirtd.conf").succeeded(),
                        "the rendered file is untouched"),
                () -> assertEquals(Boolean.FALSE, status.configMatchesFile(),
                        "virtsup status says the running configuration is not the file's"),
                () -> assertEquals("RUNNING", status.libvirtd().get("state")),
                () -> assertEquals("RUNNING", status.virtlogd().get("state")));
        host.writeFile(SupervisorContainer.CONFIG, FIRST);
    }

    @Test
    void aSecondVirtsupRunRefusesAndTheFirstKeepsRunning() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        // Were it to start supervising instead of refusing, the exec would only end at its timeout.
        ExecResult second = host.exec(Duration.ofSeconds(60), "java", "-cp",
                SupervisorContainer.VIRTSUP_HOME + "/virtsup.jar:" + SupervisorContainer.VIRTSUP_HOME + "/lib/*",
                "org.virtsup.cli.Main", "run", "--config", SupervisorContainer.CONFIG);
        String output = second.stdout() + second.stderr();
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertNotEquals(0, second.exitCode(), second.describe()),
                () -> assertFalse(second.exitCode() == 124 || second.exitCode() == 137, "it ended by itself"),
                () -> assertTrue(output.contains("another virtsup is running: its control socket"
                        + " /run/virtsup/control.sock accepts connections"), "says what runs: " + output),
                () -> assertEquals(1, status.supervisorPid(), "the first virtsup still answers"),
                () -> assertEquals(virtlogd, host.pidFile(VIRTLOGD_PID).orElseThrow()),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow()),
                () -> assertEquals(virtlogd, SupervisorStatus.number(status.virtlogd(), "pid")),
                () -> assertEquals(libvirtd, SupervisorStatus.number(status.libvirtd(), "pid")));
    }

    private static void dockerStopStopsLibvirtdThenVirtlogdAndExitsZero(SupervisorContainer fresh) {
        int virtlogd = fresh.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = fresh.pidFile(LIBVIRTD_PID).orElseThrow();
        long sent = System.nanoTime();
        fresh.dockerStop(STOP_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        Benchmark.record("docker stop of virtsup with both daemons running", took);
        long exitCode = fresh.awaitExitCode(Duration.ofSeconds(5));
        VirtsupLog log = VirtsupLog.of(fresh);
        int libvirtdStopped = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") stopped");
        int virtlogdStopped = log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") stopped");
        assertAll(
                // 0, not 137: virtsup exited by itself before docker's stop timeout and its SIGKILL.
                () -> assertEquals(0, exitCode, "virtsup's exit code"),
                () -> assertTrue(libvirtdStopped >= 0, "libvirtd's stop is logged"),
                () -> assertTrue(virtlogdStopped > libvirtdStopped, "virtlogd stops after libvirtd"),
                () -> assertFalse(log.has("sending SIGKILL"), "no daemon needed SIGKILL"),
                () -> assertTrue(log.has("; exiting with code 0 (shutdown requested)")));
    }
}

package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.Poll;

/**
 * A daemon that fails at every start for a cause outside the configuration:
 * the base image has no {@code libvirt-qemu} account, so libvirtd's QEMU
 * driver cannot initialise and libvirtd exits right after starting. virtsup
 * backs off exponentially up to restart-delay-max, logs libvirtd's own last
 * lines, and once the accounts exist a SIGHUP brings libvirtd back at once,
 * with virtsup (PID 1) never restarted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartBackoffIT {
    private static final int RESTART_DELAY_MAX = 4;
    /** Short enough to wait for; longer than each failed start here (libvirtd dies 0.1-0.3 s after READY=1). */
    private static final int RESTART_RESET_AFTER = 3;
    private static final String CONFIGURATION = """
            (supervisor-configuration
             (restart-delay-max %d)
             (restart-reset-after %d))
            (service virtlog-service-type
                     (virtlog-configuration))
            (service libvirt-service-type
                     (libvirt-configuration))
            """.formatted(RESTART_DELAY_MAX, RESTART_RESET_AFTER);
    /** 1, 2, 4 and 4 again: the growth and the cap, in about 12 s. */
    private static final int DELAYS_TO_SEE = 4;

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().withConfiguration(CONFIGURATION);

    @Test
    @Order(1)
    void backsOffUpToTheCapAndLogsWhyLibvirtdFails() {
        Poll.until(DELAYS_TO_SEE + " delayed restarts of libvirtd are logged", Duration.ofSeconds(90),
                () -> VirtsupLog.of(host).nextAttemptDelays("libvirtd").size() >= DELAYS_TO_SEE);
        VirtsupLog log = VirtsupLog.of(host);
        List<Double> delays = log.nextAttemptDelays("libvirtd");
        System.out.println("virtsup-benchmark: libvirtd restart delays announced (s): " + delays);
        System.out.println("virtsup-benchmark: libvirtd restart delays measured (ms): " + measuredDelays(log));
        int lastOutput = log.indexOf("exited with code 0; its last output:");
        SupervisorStatus status = SupervisorStatus.of(host);
        String lastLines = host.virtsup("log", "libvirtd").orFail().stdout();
        assertAll(
                () -> assertTrue(lastLines.contains("Failed to parse user 'libvirt-qemu'"),
                        "virtsup log libvirtd shows why: " + lastLines),
                () -> assertEquals(1.0, delays.get(0), "the first delayed restart waits 1 s: " + delays),
                () -> {
                    for (int i = 1; i < delays.size(); i++) {
                        assertEquals(Math.min(2 * delays.get(i - 1), RESTART_DELAY_MAX), delays.get(i),
                                "each delay doubles up to restart-delay-max: " + delays);
                    }
                },
                () -> assertTrue(delays.stream().allMatch(delay -> delay <= RESTART_DELAY_MAX),
                        "no delay exceeds restart-delay-max: " + delays),
                () -> assertTrue(delays.contains((double) RESTART_DELAY_MAX), "the cap is reached: " + delays),
                () -> assertTrue(lastOutput >= 0, "virtsup logs libvirtd's last output when it exits"),
                () -> assertTrue(lastOutputHolds(log, lastOutput, "Failed to parse user 'libvirt-qemu'"),
                        "libvirtd's last lines say why it fails"),
                // respawn-limit 0: never given up (not FAILED), between two attempts or in one.
                () -> assertTrue(List.of("BACKOFF", "STARTING", "RUNNING").contains(status.libvirtd().get("state")),
                        "libvirtd is being retried: " + status.libvirtd()),
                () -> assertTrue(SupervisorStatus.lastOutputLines(status.libvirtd()).stream()
                                .anyMatch(line -> line.contains("Failed to parse user 'libvirt-qemu'")),
                        "virtsup status shows libvirtd's last lines too: " + status.libvirtd()),
                () -> assertEquals(0, SupervisorStatus.number(status.virtlogd(), "restarts"),
                        "virtlogd is not affected"),
                () -> assertTrue(SupervisorStatus.number(status.libvirtd(), "restarts") >= DELAYS_TO_SEE));
    }

    @Test
    @Order(2)
    void hupAfterTheCauseIsFixedBringsLibvirtdBackWithoutRestartingVirtsup() {
        String pid1Before = pid1();
        // The SIGHUP must find libvirtd waiting in BACKOFF, at least 2 s before its timer would retry
        // by itself: then only the reload can have brought it back so soon.
        Poll.until("libvirtd waits in BACKOFF with 2 s or more to go", Duration.ofSeconds(60), () -> {
            SupervisorStatus status = SupervisorStatus.of(host);
            return "BACKOFF".equals(status.libvirtd().get("state"))
                    && status.libvirtd().get("nextRetryInSeconds") instanceof Number left && left.intValue() >= 2;
        });
        host.prepareLibvirtHost();
        long sent = System.nanoTime();
        host.signalPid1("HUP");
        Poll.until("libvirtd answers virsh once its accounts exist", Duration.ofSeconds(60), host::libvirtdAnswers);
        Benchmark.record("SIGHUP after the fix until libvirtd answers virsh",
                Duration.ofNanos(System.nanoTime() - sent));
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(pid1Before, pid1(), "PID 1 is the same virtsup process"),
                () -> assertEquals(1, status.supervisorPid()),
                () -> assertEquals(1, ProcessStat.of(host, libvirtd).orElseThrow().parentPid()),
                () -> assertEquals(libvirtd, SupervisorStatus.number(status.libvirtd(), "pid")),
                () -> assertEquals("RUNNING", status.libvirtd().get("state")),
                () -> assertTrue(VirtsupLog.of(host).has("virtsup: configuration reloaded: trying libvirtd again now"),
                        "the reload retried libvirtd at once"));
    }

    /**
     * Up for restart-reset-after, libvirtd has recovered: its next death is a
     * first failure again (restarted at once), not one more in the series
     * that would wait restart-delay-max.
     */
    @Test
    @Order(3)
    void aDeathAfterRestartResetAfterRestartsAtOnce() {
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        Poll.until("libvirtd has run for more than restart-reset-after", Duration.ofSeconds(30), () -> {
            SupervisorStatus status = SupervisorStatus.of(host);
            return SupervisorStatus.number(status.libvirtd(), "pid") == libvirtd
                    && SupervisorStatus.number(status.libvirtd(), "uptimeSeconds") > RESTART_RESET_AFTER;
        });
        long sent = System.nanoTime();
        host.exec("kill", "-KILL", Integer.toString(libvirtd)).orFail();
        // The decision line, not the one before it that shows the daemon's last output.
        String died = "virtsup: libvirtd (pid " + libvirtd + ") killed by signal 9 (SIGKILL); ";
        String decision = Poll.untilPresent("virtsup logs what it does about the death", Duration.ofSeconds(20),
                () -> VirtsupLog.of(host).lines().stream()
                        .filter(line -> line.contains(died) && !line.contains(died + "its last output"))
                        .findFirst());
        Poll.until("a new libvirtd answers virsh", Duration.ofSeconds(60),
                () -> host.pidFile("/run/libvirtd.pid").orElse(libvirtd) != libvirtd && host.libvirtdAnswers());
        Benchmark.record("kill -9 of a recovered libvirtd until a new one answers virsh",
                Duration.ofNanos(System.nanoTime() - sent));
        assertTrue(decision.contains(died + "restarting now"), "restarted at once, not backed off: " + decision);
    }

    /** PID 1's command and start time: unchanged means virtsup was never restarted. */
    private static String pid1() {
        ProcessStat stat = ProcessStat.of(host, 1).orElseThrow();
        return host.exec("cat", "/proc/1/cmdline").orFail().stdout().replace('\0', ' ') + "@" + stat.startTime();
    }

    /** Whether the indented block after "its last output:" at {@code index} holds {@code text}. */
    private static boolean lastOutputHolds(VirtsupLog log, int index, String text) {
        for (int i = index + 1; i < log.lines().size() && log.lines().get(i).startsWith("  "); i++) {
            if (log.lines().get(i).contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** From each "next attempt in" line to the next "libvirtd started" line, by virtsup's own timestamps. */
    private static List<Long> measuredDelays(VirtsupLog log) {
        List<Long> measured = new ArrayList<>();
        for (int announced : log.indexesOf("; next attempt in ")) {
            int started = log.indexAfter(announced, "virtsup: libvirtd started (pid");
            if (started >= 0) {
                measured.add(Duration.between(log.timeOf(announced), log.timeOf(started)).toMillis());
            }
        }
        return measured;
    }
}

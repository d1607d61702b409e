package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
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
 *
 * <p>Each test has a container of its own, started without the accounts: none
 * depends on what another one did.
 */
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
    @RegisterExtension
    final OwnContainer own = new OwnContainer();

    /** virtsup as PID 1 on a host without the accounts libvirtd needs, once its control socket answers. */
    private SupervisorContainer failingLibvirtd() {
        SupervisorContainer host = own.start(SupervisorContainer.create().withConfiguration(CONFIGURATION));
        Poll.until("virtsup answers on its control socket", Duration.ofSeconds(60),
                () -> host.virtsup("status").exitCode() != 4); // 4: nothing answers yet
        return host;
    }

    /**
     * The delays virtsup chose, by restart number, as {@code virtsup status}
     * shows them while libvirtd waits in BACKOFF. Read until the cap has been
     * seen at two restarts and a shorter delay at one: a status read now and then
     * may miss the one-second wait, never a longer one.
     */
    @Test
    void backsOffUpToTheCapAndLogsWhyLibvirtdFails() {
        SupervisorContainer host = failingLibvirtd();
        Map<Integer, Double> delays = new TreeMap<>();
        Poll.until("libvirtd is seen backing off below the cap, and at it twice", Duration.ofSeconds(90), () -> {
            Map<String, Object> libvirtd = SupervisorStatus.of(host).libvirtd();
            SupervisorStatus.chosenDelay(libvirtd).ifPresent(delay ->
                    delays.put(SupervisorStatus.number(libvirtd, "restarts"), delay.toMillis() / 1000.0));
            return delays.values().stream().filter(delay -> delay == RESTART_DELAY_MAX).count() >= 2
                    && delays.values().stream().anyMatch(delay -> delay < RESTART_DELAY_MAX);
        });
        VirtsupLog log = VirtsupLog.of(host);
        System.out.println("virtsup-benchmark: libvirtd restart delays chosen, by restart (s): " + delays);
        System.out.println("virtsup-benchmark: libvirtd restart delays measured (ms): " + measuredDelays(log));
        int lastOutput = log.indexOf("exited with code 0; its last output:");
        SupervisorStatus status = SupervisorStatus.of(host);
        String lastLines = host.virtsup("log", "libvirtd").orFail().stdout();
        String installed = host.exec("/usr/sbin/libvirtd", "--version").orFail().stdout().strip();
        String version = installed.substring(installed.lastIndexOf(' ') + 1);
        assertAll(
                // Asked through virtsup's own process calls, before its reaper starts; read, not
                // the default (the same on bookworm) that a failed question warns it falls back to.
                () -> assertTrue(log.has("files rendered for libvirt " + version + " (/usr/sbin/libvirtd --version)")
                        && !log.has("the files are rendered for libvirt"),
                        "virtsup read the installed libvirtd's version, " + installed),
                () -> assertTrue(lastLines.contains("Failed to parse user 'libvirt-qemu'"),
                        "virtsup log libvirtd shows why: " + lastLines),
                // The first failure restarts at once (restart 1); restart n waits 2^(n-2) s, up to the cap.
                () -> delays.forEach((restart, delay) -> assertEquals(
                        Math.min(Math.pow(2, restart - 2), RESTART_DELAY_MAX), delay,
                        "restart " + restart + " waits 1 s doubled at each failure, up to restart-delay-max: " + delays)),
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
                () -> assertTrue(SupervisorStatus.number(status.libvirtd(), "restarts") >= 4));
    }

    @Test
    void hupAfterTheCauseIsFixedBringsLibvirtdBackWithoutRestartingVirtsup() {
        SupervisorContainer host = failingLibvirtd();
        String pid1Before = pid1(host);
        awaitBackoffWithTwoSecondsToGo(host);
        host.prepareLibvirtHost();
        long sent = System.nanoTime();
        host.signalPid1("HUP");
        Poll.until("libvirtd answers virsh once its accounts exist", Duration.ofSeconds(60), host::libvirtdAnswers);
        Benchmark.record("SIGHUP after the fix until libvirtd answers virsh",
                Duration.ofNanos(System.nanoTime() - sent));
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(pid1Before, pid1(host), "PID 1 is the same virtsup process"),
                () -> assertEquals(1, status.supervisorPid()),
                () -> assertEquals(1, ProcessStat.of(host, libvirtd).orElseThrow().parentPid()),
                () -> assertEquals(libvirtd, SupervisorStatus.number(status.libvirtd(), "pid")),
                () -> assertEquals("RUNNING", status.libvirtd().get("state")),
                () -> assertTrue(VirtsupLog.of(host).has("virtsup: configuration reloaded: trying libvirtd again now"),
                        "the reload retried libvirtd at once"));
    }

    /**
     * After a series of failures, libvirtd up for restart-reset-after has
     * recovered: its next death is a first failure again (restarted at once),
     * not one more in the series that would wait restart-delay-max.
     */
    @Test
    void aDeathAfterRestartResetAfterRestartsAtOnce() {
        SupervisorContainer host = failingLibvirtd();
        awaitBackoffWithTwoSecondsToGo(host);
        host.prepareLibvirtHost(); // the pending try, due by its timer, now succeeds
        Poll.until("libvirtd answers virsh once its accounts exist", Duration.ofSeconds(60), host::libvirtdAnswers);
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

    /**
     * libvirtd waits in BACKOFF at least 2 s before its timer retries: failed
     * three times or more, so the next failure of the series would wait too.
     */
    private static void awaitBackoffWithTwoSecondsToGo(SupervisorContainer host) {
        Poll.until("libvirtd waits in BACKOFF with 2 s or more to go", Duration.ofSeconds(60), () -> {
            SupervisorStatus status = SupervisorStatus.of(host);
            return "BACKOFF".equals(status.libvirtd().get("state"))
                    && status.libvirtd().get("nextRetryInSeconds") instanceof Number left && left.intValue() >= 2;
        });
    }

    /** PID 1's command and start time: unchanged means virtsup was never restarted. */
    private static String pid1(SupervisorContainer host) {
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

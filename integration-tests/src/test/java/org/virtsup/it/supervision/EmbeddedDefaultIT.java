package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.Poll;

/**
 * {@code virtsup run} with no configuration file anywhere: the embedded
 * default declares both services with the specification's defaults, which
 * the daemons report back; SIGINT (Ctrl-C in a terminal, or
 * {@code docker kill -s INT}) stops them like SIGTERM, on a container of
 * that test's own.
 */
class EmbeddedDefaultIT {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt();

    @RegisterExtension
    final OwnContainer own = new OwnContainer();

    @Test
    void bothDaemonsRunWithTheDefaults() {
        Duration up = Poll.until("libvirtd answers virsh", UP_TIMEOUT, host::libvirtdAnswers);
        Benchmark.record("virtsup run with the embedded default: libvirtd answers virsh", up);
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertFalse(host.exec("test", "-e", SupervisorContainer.CONFIG).succeeded(),
                        "there is no configuration file"),
                () -> assertEquals("RUNNING", status.virtlogd().get("state")),
                () -> assertEquals("RUNNING", status.libvirtd().get("state")),
                // The specification's defaults: max-workers 20, virtlog max-clients 1024.
                () -> assertEquals(20, AdminFields.read(host, AdminFields.LIBVIRTD, "maxWorkers",
                        "srv-threadpool-info", "libvirtd")),
                () -> assertEquals(1024, AdminFields.read(host, AdminFields.VIRTLOGD, "nclients_max",
                        "srv-clients-info", "virtlogd")),
                () -> assertEquals(1, ProcessStat.of(host, SupervisorStatus.number(status.libvirtd(), "pid"))
                        .orElseThrow().parentPid()));
    }

    /**
     * With both daemons stopped virtsup has no child at all; an orphan
     * re-parented to it afterwards must still be reaped, not left a zombie
     * until a daemon is started again.
     */
    @Test
    void reapsOrphansWhileNoDaemonRuns() {
        Poll.until("libvirtd answers virsh", UP_TIMEOUT, host::libvirtdAnswers);
        try {
            host.virtsup("stop", "libvirtd").orFail();
            host.virtsup("stop", "virtlogd").orFail();
            assertEquals("", host.exec("ps", "--ppid", "1", "-o", "pid=,args=").stdout().trim(),
                    "virtsup has no child left");
            int orphan = Integer.parseInt(host.exec("sh", "-c", "sleep 0.5 </dev/null >/dev/null 2>&1 & echo $!")
                    .orFail().stdout().trim());
            assertEquals(1, ProcessStat.of(host, orphan).orElseThrow().parentPid(), "the orphan is PID 1's child");
            Poll.until("the orphan (pid " + orphan + ") has ended and was reaped", Duration.ofSeconds(10),
                    () -> ProcessStat.of(host, orphan).isEmpty());
        } finally {
            host.virtsup("start", "virtlogd").orFail();
            host.virtsup("start", "libvirtd").orFail();
        }
        Poll.until("libvirtd answers virsh again", UP_TIMEOUT, host::libvirtdAnswers);
    }

    @Test
    void sigintStopsBothAndExitsZero() {
        SupervisorContainer fresh = own.start(SupervisorContainer.create().preparedForLibvirt());
        Poll.until("libvirtd answers virsh", UP_TIMEOUT, fresh::libvirtdAnswers);
        int virtlogd = fresh.pidFile("/run/virtlogd.pid").orElseThrow();
        int libvirtd = fresh.pidFile("/run/libvirtd.pid").orElseThrow();
        fresh.signalPid1("INT");
        long exitCode = fresh.awaitExitCode(Duration.ofSeconds(30));
        VirtsupLog log = VirtsupLog.of(fresh);
        int libvirtdStopped = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") stopped");
        assertAll(
                () -> assertEquals(0, exitCode),
                () -> assertTrue(log.has("virtsup: SIGINT received"), "virtsup acted on SIGINT"),
                () -> assertTrue(libvirtdStopped >= 0, "libvirtd's stop is logged"),
                () -> assertTrue(log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") stopped") > libvirtdStopped,
                        "virtlogd stops after libvirtd"));
    }
}

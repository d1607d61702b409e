package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.Poll;

/**
 * {@code virtsup run} with no configuration file anywhere: the embedded
 * default declares both services with the specification's defaults, which
 * the daemons report back; SIGINT (Ctrl-C in a terminal, or
 * {@code docker kill -s INT}) stops them like SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedDefaultIT {

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt();

    @Test
    @Order(1)
    void bothDaemonsRunWithTheDefaults() {
        Duration up = Poll.until("libvirtd answers virsh", Duration.ofSeconds(60), host::libvirtdAnswers);
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
    @Order(2)
    void reapsOrphansWhileNoDaemonRuns() {
        host.virtsup("stop", "libvirtd").orFail();
        host.virtsup("stop", "virtlogd").orFail();
        assertEquals("", host.exec("ps", "--ppid", "1", "-o", "pid=,args=").stdout().trim(),
                "virtsup has no child left");
        int orphan = Integer.parseInt(host.exec("sh", "-c", "sleep 0.5 </dev/null >/dev/null 2>&1 & echo $!")
                .orFail().stdout().trim());
        assertEquals(1, ProcessStat.of(host, orphan).orElseThrow().parentPid(), "the orphan is PID 1's child");
        Poll.until("the orphan (pid " + orphan + ") has ended and was reaped", Duration.ofSeconds(10),
                () -> ProcessStat.of(host, orphan).isEmpty());
        host.virtsup("start", "virtlogd").orFail();
        host.virtsup("start", "libvirtd").orFail();
        Poll.until("libvirtd answers virsh again", Duration.ofSeconds(60), host::libvirtdAnswers);
    }

    @Test
    @Order(3)
    void sigintStopsBothAndExitsZero() {
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.signalPid1("INT");
        long exitCode = host.awaitExitCode(Duration.ofSeconds(30));
        VirtsupLog log = VirtsupLog.of(host);
        int libvirtdStopped = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") stopped");
        assertAll(
                () -> assertEquals(0, exitCode),
                () -> assertTrue(log.has("virtsup: SIGINT received"), "virtsup acted on SIGINT"),
                () -> assertTrue(libvirtdStopped >= 0, "libvirtd's stop is logged"),
                () -> assertTrue(log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") stopped") > libvirtdStopped,
                        "virtlogd stops after libvirtd"));
    }
}

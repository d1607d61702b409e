package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.Poll;

/**
 * A libvirtd that does not end on SIGTERM (here: stopped with SIGSTOP, so
 * the TERM stays pending) is killed after stop-timeout; virtlogd is then
 * stopped cleanly and virtsup still exits 0 well within docker's own
 * timeout.
 */
class StopTimeoutIT {
    private static final int STOP_TIMEOUT = 2;
    private static final String CONFIGURATION = """
            (supervisor-configuration
             (stop-timeout %d))
            (service virtlog-service-type
                     (virtlog-configuration))
            (service libvirt-service-type
                     (libvirt-configuration))
            """.formatted(STOP_TIMEOUT);

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withConfiguration(CONFIGURATION);

    @Test
    void aLibvirtdDeafToSigtermIsKilledAfterStopTimeout() {
        Poll.until("libvirtd answers virsh", Duration.ofSeconds(60), host::libvirtdAnswers);
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        host.exec("kill", "-STOP", Integer.toString(libvirtd)).orFail();
        Poll.until("libvirtd is stopped (state T)", Duration.ofSeconds(10),
                () -> ProcessStat.of(host, libvirtd).map(stat -> stat.state() == 'T').orElse(false));

        long sent = System.nanoTime();
        host.dockerStop(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        Benchmark.record("docker stop with a libvirtd deaf to SIGTERM (stop-timeout " + STOP_TIMEOUT + " s)", took);
        long exitCode = host.awaitExitCode(Duration.ofSeconds(5));
        VirtsupLog log = VirtsupLog.of(host);
        int escalated = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") is still running " + STOP_TIMEOUT
                + " s after SIGTERM; sending SIGKILL");
        int killed = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") stopped: killed by signal 9 (SIGKILL)");
        int virtlogdStopped = log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") stopped: exited with code 0");
        assertAll(
                // 0, not 137: virtsup itself ended before docker would have killed it.
                () -> assertEquals(0, exitCode, "virtsup's exit code"),
                () -> assertTrue(escalated >= 0, "virtsup escalates to SIGKILL after stop-timeout"),
                () -> assertTrue(killed > escalated, "libvirtd ends by SIGKILL"),
                () -> assertTrue(virtlogdStopped > killed, "virtlogd is stopped cleanly, after libvirtd"),
                () -> assertTrue(log.has("; exiting with code 0 (shutdown requested)")));
    }
}

package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;

/**
 * For containers: with {@code respawn-limit} and {@code exit-on-failure?},
 * a daemon that keeps failing (libvirtd without its libvirt-qemu account,
 * on the bare base image) makes virtsup give up, stop virtlogd cleanly and
 * exit non-zero, so that the orchestrator sees the failure and can act.
 */
class ExitOnFailureIT {
    private static final String CONFIGURATION = """
            (supervisor-configuration
             (respawn-limit 3)
             (exit-on-failure? #t)
             (restart-delay-max 2))
            (service virtlog-service-type
                     (virtlog-configuration))
            (service libvirt-service-type
                     (libvirt-configuration))
            """;

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().withConfiguration(CONFIGURATION);

    @Test
    void givesUpAfterTheRespawnLimitAndExitsNonZero() {
        long started = System.nanoTime();
        long exitCode = host.awaitExitCode(Duration.ofSeconds(60));
        Benchmark.record("virtsup gives up on libvirtd after 3 failed starts and exits",
                Duration.ofNanos(System.nanoTime() - started));
        VirtsupLog log = VirtsupLog.of(host);
        int givenUp = log.indexOf("libvirtd failed 3 starts in a row (respawn-limit 3): giving up");
        int virtlogdStopped = log.indexAfter(Math.max(givenUp, 0), ") stopped: exited with code 0");
        assertAll(
                () -> assertEquals(1, exitCode, "virtsup's exit code"),
                () -> assertTrue(givenUp >= 0, "virtsup gives up after respawn-limit failed starts"),
                () -> assertEquals(3, log.count("virtsup: libvirtd started (pid"), "exactly respawn-limit starts"),
                () -> assertTrue(virtlogdStopped > givenUp && log.lines().get(virtlogdStopped).contains("virtlogd"),
                        "then virtlogd is stopped cleanly"),
                () -> assertTrue(log.has("; exiting with code 1"
                        + " (libvirtd failed and exit-on-failure? is set)"), "and says why it exits"));
    }
}

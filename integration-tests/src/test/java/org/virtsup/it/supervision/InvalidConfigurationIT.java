package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * virtsup run as PID 1 with an invalid configuration: every problem on a
 * {@code FILE:LINE:COL: error:} line, exit 78 (EX_CONFIG), and nothing
 * started or written. The host is prepared for libvirt, so nothing but the
 * configuration stands in the daemons' way.
 */
class InvalidConfigurationIT {
    /** Two mistakes, at 4:12 (an unknown field) and 7:24 (a value out of range). */
    private static final String INVALID = """
            ;; Two mistakes: both are reported, nothing is started.
            (service virtlog-service-type
                     (virtlog-configuration
                      (max-clientz 10)))
            (service libvirt-service-type
                     (libvirt-configuration
                      (max-workers 0)))
            """;

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withConfiguration(INVALID);

    @Test
    void exits78WithEveryProblemAndStartsNothing() {
        long exitCode = host.awaitExitCode(Duration.ofSeconds(60));
        VirtsupLog log = VirtsupLog.of(host);
        assertAll(
                () -> assertEquals(78, exitCode, "virtsup's exit code for an invalid configuration"),
                () -> assertTrue(log.has(SupervisorContainer.CONFIG + ":4:12: error: virtlog-configuration has no field"
                        + " 'max-clientz'; did you mean 'max-clients'?"), "the misspelled field, with its position"),
                () -> assertTrue(log.has(SupervisorContainer.CONFIG + ":7:24: error: field 'max-workers'"),
                        "the value out of range, with its position"),
                () -> assertFalse(log.has("started (pid"), "no daemon was started"),
                () -> assertFalse(log.has("daemon.libvirtd") || log.has("daemon.virtlogd"), "no daemon ever wrote"),
                () -> assertFalse(host.hasFile("/run/libvirtd.pid"), "libvirtd never ran (no pid file)"),
                () -> assertFalse(host.hasFile("/run/virtlogd.pid"), "virtlogd never ran (no pid file)"),
                () -> assertFalse(host.hasFile("/run/virtsup"), "no state directory was written"),
                () -> assertFalse(host.hasFile("/run/libvirt/libvirt-sock"), "no libvirt socket"));
    }
}

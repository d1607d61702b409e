package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * A real libvirtd that does not take the sockets it is handed (here a wrapper
 * that sets a wrong LISTEN_PID) silently binds its own: virtsup sees it in
 * /proc and reports a failed start, never a running libvirtd.
 */
class HandOffRefusedIT {
    private static final String PREFIX = "/opt/wrong-listen-pid";

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withFile(PREFIX + "/sbin/libvirtd", "#!/bin/sh\nLISTEN_PID=1 exec /usr/sbin/libvirtd \"$@\"\n")
            .withFile(PREFIX + "/sbin/virtlogd", "#!/bin/sh\nexec /usr/sbin/virtlogd \"$@\"\n")
            .withSetup("chmod 755 " + PREFIX + "/sbin/libvirtd " + PREFIX + "/sbin/virtlogd")
            .withConfiguration("""
                    (supervisor-configuration
                     (restart-delay-max 1)
                     (respawn-limit 2))
                    (service virtlog-service-type
                             (virtlog-configuration))
                    (service libvirt-service-type
                             (libvirt-configuration
                              (libvirt "%s")))
                    """.formatted(PREFIX));

    @Test
    void aDaemonThatBindsItsOwnSocketsIsReportedFailedNotRunning() {
        Poll.until("virtsup gives up on libvirtd", Duration.ofSeconds(90), HandOffRefusedIT::libvirtdFailed);
        List<String> refusals = host.logLines().stream().filter(line -> line.contains("failed to start: libvirtd (pid")
                && line.contains("listens on a socket of its own at /var/run/libvirt/libvirt-sock")).toList();
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(2, refusals.size(), "one refusal per start:\n" + String.join("\n", refusals)),
                () -> assertEquals(Boolean.FALSE, status.libvirtd().get("ready")),
                () -> assertEquals("RUNNING", status.virtlogd().get("state")),
                () -> assertEquals(3, host.virtsup("status").exitCode(), "status: a daemon is not running"),
                () -> assertNotEquals(0, host.exec("virsh", "-c", "qemu:///system", "version").exitCode(),
                        "a client is refused, not left waiting"),
                () -> assertTrue(host.exec("test", "!", "-e", "/var/run/libvirt/libvirt-sock").succeeded(),
                        "a failed libvirtd's sockets are released"));
    }

    /** Exit 4 (virtsup not reachable yet, while it starts) is not an answer. */
    private static boolean libvirtdFailed() {
        ExecResult status = host.virtsup("status", "--json");
        return (status.exitCode() == 0 || status.exitCode() == 3)
                && "FAILED".equals(SupervisorStatus.parse(status.stdout()).libvirtd().get("state"));
    }
}

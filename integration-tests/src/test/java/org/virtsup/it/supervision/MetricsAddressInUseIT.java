package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A metrics-address another process holds is a configuration error: virtsup
 * names the field's place and the address, exits 78, and starts no daemon.
 */
class MetricsAddressInUseIT {
    private static final String CONFIGURATION = """
            (service virtlog-service-type)
            (service libvirt-service-type)
            (supervisor-configuration
             (metrics-address "127.0.0.1:9474"))
            """;

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt()
            .withConfiguration(CONFIGURATION)
            // Listening before virtsup starts, and still when it binds (python needs well under the JVM's start).
            .withSetup("python3 -m http.server 9474 --bind 127.0.0.1 >/dev/null 2>&1 &")
            .withSetup("for i in $(seq 100); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 9474))'"
                    + " 2>/dev/null && break; sleep 0.1; done");

    @Test
    void exits78NamingTheAddressAndStartsNoDaemon() {
        long code = host.awaitExitCode(Duration.ofSeconds(60));
        String log = host.log();
        assertAll(
                () -> assertEquals(78L, code, log),
                () -> assertTrue(log.contains(SupervisorContainer.CONFIG + ":4:19: error: metrics-address \"127.0.0.1:9474\""
                        + " cannot be bound"), log),
                () -> assertFalse(host.hasFile("/run/libvirtd.pid"), "libvirtd was never started"),
                () -> assertFalse(host.hasFile("/run/virtlogd.pid"), "virtlogd was never started"));
    }
}

package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;

/**
 * The files virtsup renders are applied by the real daemons: a Guix-syntax
 * configuration goes through the config model (ConfigurationLoader, then
 * LibvirtdConf and VirtlogdConf), virtlogd and libvirtd 9.0 are started on
 * the rendered files inside a container, and virt-admin reads back from the
 * running daemons the thread pools, client limits, log filters and log
 * outputs they applied. Both for the embedded default and for a
 * configuration where every value checked differs from its default.
 */
class RenderedConfigurationAppliedIT {
    private static final String HOST_NAME = "virtsup-test-host";

    /** Every value virt-admin can show, away from its default, and the socket directory moved. */
    private static final String NON_DEFAULT = """
            ;; Values virt-admin reads back, all different from the defaults.
            (service virtlog-service-type
                     (virtlog-configuration
                      (max-clients 77)
                      (log-filters "2:logging")
                      (log-outputs "3:file:/var/log/virtsup-test/virtlogd-own.log")))
            (service libvirt-service-type
                     (libvirt-configuration
                      (unix-sock-dir "/run/virtsup-test/sockets")
                      (min-workers 3)
                      (max-workers 7)
                      (prio-workers 2)
                      (max-clients 42)
                      (max-anonymous-clients 9)
                      (admin-max-workers 4)
                      (admin-max-clients 3)
                      (log-filters "1:qemu 3:remote")
                      (log-outputs "2:stderr")))
            """;

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.create();

    @Test
    void embeddedDefaultIsApplied() {
        Configuration configuration = loaded(ConfigurationLoader.embeddedDefault(HOST_NAME));
        // The defaults of the specification (spec/guix-virtualization-services.txt).
        Expected expected = new Expected(5, 20, 5, 5000, 20, 1, 5, 5,
                "3:remote 4:event", "3:stderr", 1024, "3:remote 4:event", "3:stderr");
        assertAppliedBy(configuration, expected, "defaults");
    }

    @Test
    void nonDefaultConfigurationIsApplied() {
        Configuration configuration = loaded(ConfigurationLoader.load("non-default.scm", NON_DEFAULT, HOST_NAME));
        Expected expected = new Expected(3, 7, 2, 42, 9, 1, 4, 3,
                "1:qemu 3:remote", "2:stderr", 77, "2:logging", "3:file:/var/log/virtsup-test/virtlogd-own.log");
        assertAppliedBy(configuration, expected, "non-default");
        assertTrue(host.exists("/var/log/virtsup-test/virtlogd-own.log"), "virtlogd opened its file output");
    }

    @Test
    void libvirtdListensInTheConfiguredSocketDirectory() {
        Configuration configuration = loaded(ConfigurationLoader.load("non-default.scm", NON_DEFAULT, HOST_NAME));
        try (RunningDaemons daemons = RunningDaemons.start(host, configuration, "socket-directory")) {
            String listed = host.exec("ls", "/run/virtsup-test/sockets").orFail().stdout();
            assertEquals("libvirt-admin-sock\nlibvirt-sock\nlibvirt-sock-ro\n", listed);
            assertFalse(host.exists("/run/libvirt/libvirt-sock"), "nothing listens in the default directory");
            assertTrue(host.exec("virsh", "-c", daemons.qemuUri(), "version").succeeded(),
                    "virsh reaches libvirtd through " + daemons.qemuUri());
        }
    }

    private static Configuration loaded(ConfigurationLoader.Loaded loaded) {
        return loaded.configuration().orElseThrow(() -> new AssertionError("the configuration does not load:\n"
                + loaded.diagnostics().stream().map(Diagnostic::format).collect(Collectors.joining("\n"))));
    }

    private static void assertAppliedBy(Configuration configuration, Expected expected, String name) {
        try (RunningDaemons daemons = RunningDaemons.start(host, configuration, name)) {
            VirtAdmin libvirtdAdmin = daemons.libvirtdAdmin();
            VirtAdmin virtlogdAdmin = daemons.virtlogdAdmin();
            Map<String, String> pool = libvirtdAdmin.threadPool("libvirtd");
            Map<String, String> adminPool = libvirtdAdmin.threadPool("admin");
            Map<String, String> clients = libvirtdAdmin.clients("libvirtd");
            Map<String, String> adminClients = libvirtdAdmin.clients("admin");
            String filters = libvirtdAdmin.logFilters();
            String outputs = libvirtdAdmin.logOutputs();
            Map<String, String> virtlogdClients = virtlogdAdmin.clients("virtlogd");
            String virtlogdFilters = virtlogdAdmin.logFilters();
            String virtlogdOutputs = virtlogdAdmin.logOutputs();
            assertAll(name + " configuration as libvirtd and virtlogd applied it",
                    () -> assertEquals(expected.minWorkers(), intOf(pool, "minWorkers"), "min-workers"),
                    () -> assertEquals(expected.maxWorkers(), intOf(pool, "maxWorkers"), "max-workers"),
                    () -> assertEquals(expected.prioWorkers(), intOf(pool, "prioWorkers"), "prio-workers"),
                    () -> assertEquals(expected.maxClients(), intOf(clients, "nclients_max"), "max-clients"),
                    () -> assertEquals(expected.maxAnonymousClients(), intOf(clients, "nclients_unauth_max"),
                            "max-anonymous-clients"),
                    () -> assertEquals(expected.adminMinWorkers(), intOf(adminPool, "minWorkers"),
                            "admin-min-workers"),
                    () -> assertEquals(expected.adminMaxWorkers(), intOf(adminPool, "maxWorkers"),
                            "admin-max-workers"),
                    () -> assertEquals(expected.adminMaxClients(), intOf(adminClients, "nclients_max"),
                            "admin-max-clients"),
                    () -> assertEquals(VirtAdmin.asReportedFilters(expected.logFilters()), filters,
                            "log-filters"),
                    () -> assertEquals(expected.logOutputs(), outputs, "log-outputs"),
                    () -> assertEquals(expected.virtlogMaxClients(), intOf(virtlogdClients, "nclients_max"),
                            "virtlog max-clients"),
                    () -> assertEquals(VirtAdmin.asReportedFilters(expected.virtlogLogFilters()), virtlogdFilters,
                            "virtlog log-filters"),
                    () -> assertEquals(expected.virtlogLogOutputs(), virtlogdOutputs, "virtlog log-outputs"));
        }
    }

    private static int intOf(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new AssertionError("virt-admin printed no " + name + " in " + fields);
        }
        return Integer.parseInt(value);
    }

    /** What virt-admin must report. */
    private record Expected(int minWorkers, int maxWorkers, int prioWorkers, int maxClients,
            int maxAnonymousClients, int adminMinWorkers, int adminMaxWorkers, int adminMaxClients,
            String logFilters, String logOutputs, int virtlogMaxClients, String virtlogLogFilters,
            String virtlogLogOutputs) {
    }
}

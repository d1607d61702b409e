package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.it.supervision.AdoptionSteps.LIBVIRTD_PID;
import static org.virtsup.it.supervision.AdoptionSteps.VIRTLOGD_PID;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.LibvirtHostContainer;

/**
 * With pidfd_getfd allowed (CAP_SYS_PTRACE, as root has on a host under
 * systemd), the virtsup that adopts the daemons takes their listening sockets
 * back: a client connecting all along, while virtsup is killed, while the
 * next one adopts the daemons, and while each adopted daemon is killed and
 * restarted, is never refused.
 */
class AdoptionTakesSocketsBackIT {
    private static final List<String> SOCKETS = List.of("/run/libvirt/virtlogd-sock",
            "/run/libvirt/virtlogd-admin-sock", "/var/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock-ro",
            "/var/run/libvirt/libvirt-admin-sock");

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup().withCapability("SYS_PTRACE");

    private final AdoptionSteps steps = new AdoptionSteps(host);

    @Test
    void noClientIsRefusedFromTheKillOfVirtsupThroughAdoptionToTheRestartOfEachAdoptedDaemon() {
        host.writeFile(ConnectingClients.SCRIPT, ConnectingClients.PROGRAM);
        var first = steps.firstVirtsup();
        ConnectingClients clients = ConnectingClients.start(host::exec, SOCKETS);
        AdoptionSteps.Adopted adopted = steps.killAndRunAnother(first);
        try {
            String log = host.readFile(adopted.virtsup().logFile());
            for (String name : List.of("virtlogd's virtlogd.socket", "virtlogd's virtlogd-admin.socket",
                    "libvirtd's libvirtd.socket", "libvirtd's libvirtd-ro.socket", "libvirtd's libvirtd-admin.socket")) {
                assertTrue(log.contains("took " + name + " (pid "), "took " + name + " back: " + log);
            }
            steps.killAndAwaitReplacement(LIBVIRTD_PID, steps::libvirtdAnswers);
            steps.killAndAwaitReplacement(VIRTLOGD_PID, steps::virtlogdAnswers);
            Map<String, Map<String, Integer>> counts = clients.stop();
            counts.forEach((path, byOutcome) -> System.out.println("adoption, held sockets: " + path + " " + byOutcome));
            List<String> failed = new ArrayList<>();
            counts.forEach((path, byOutcome) -> {
                if (ConnectingClients.failures(byOutcome) != 0 || byOutcome.getOrDefault("ok", 0) == 0) {
                    failed.add(path + " " + byOutcome);
                }
            });
            assertEquals(List.of(), failed, "connects that were refused or failed (0 required)");
            assertEquals(0, host.virtsup("status").exitCode());
        } finally {
            host.stop(adopted.virtsup());
        }
    }
}

package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.config.ConfigurationLoader;

/**
 * A guest starts under the real daemons in an unprivileged container
 * prepared by {@link LibvirtHostContainer}: the proof that its recipe
 * (accounts, {@code remember_owner = 0}, {@code cgroup_controllers = [ ]})
 * is enough, and what later supervision tests build on. Without the two
 * qemu.conf lines the start fails with "Unable to set XATTR
 * trusted.libvirt.security.dac ...: Operation not permitted" and then
 * "Failed to create v1 controller cpu for group: Read-only file system".
 */
class GuestInContainerIT {
    private static final Duration GUEST_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.create();

    @Test
    void aGuestRunsAsLibvirtQemuWithItsConsoleLoggedByVirtlogd() {
        var configuration = ConfigurationLoader.embeddedDefault("guest-host").configuration().orElseThrow();
        try (RunningDaemons daemons = RunningDaemons.start(host, configuration, "guest")) {
            host.writeFile("/etc/virtsup-test/guest/tiny.xml", TinyGuest.xml("tiny"));
            long started = System.nanoTime();
            host.exec("virsh", "-c", daemons.qemuUri(), "create", "/etc/virtsup-test/guest/tiny.xml").orFail();
            Benchmark.record("virsh create of a disk-less TCG guest",
                    Duration.ofNanos(System.nanoTime() - started));
            try {
                assertEquals("running", host.exec("virsh", "-c", daemons.qemuUri(), "domstate", "tiny")
                        .orFail().stdout().trim());
                String pid = host.readFile("/run/libvirt/qemu/tiny.pid").trim();
                String[] userAndParent = host.exec("ps", "-o", "user:32=,ppid=", "-p", pid).orFail()
                        .stdout().trim().split("\\s+");
                assertEquals("libvirt-qemu", userAndParent[0], "QEMU runs as qemu.conf's default user");
                assertEquals("1", userAndParent[1], "QEMU is re-parented to PID 1, not a child of libvirtd");
                // virtlogd holds the guest's log open: its console output survives a libvirtd restart.
                Poll.until("virtlogd holds /var/log/libvirt/qemu/tiny.log open", GUEST_TIMEOUT,
                        () -> host.shell("ls -l /proc/" + daemons.virtlogd().pid() + "/fd")
                                .stdout().contains("/var/log/libvirt/qemu/tiny.log"));
                assertTrue(host.readFile("/var/log/libvirt/qemu/tiny.log").contains("qemu-system-x86_64"),
                        "the log starts with QEMU's command line");
            } finally {
                host.exec("virsh", "-c", daemons.qemuUri(), "destroy", "tiny");
            }
        }
    }
}

package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * virtsup run not as PID 1 (as under systemd): on SIGTERM it stops both
 * daemons and exits, and nothing of its own is left running. As PID 1 the
 * kernel would end every process of the container anyway, which proves
 * nothing; here the container's init outlives virtsup, so a daemon left
 * behind would still be there to see.
 */
class StopLeavesNothingRunningIT {

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    @Test
    void termStopsBothDaemonsAndLeavesNothingRunning() {
        DaemonProcess virtsup = host.startDaemon("virtsup", LibvirtHostContainer.virtsupCommand("run"));
        Poll.until("libvirtd under virtsup answers virsh", Duration.ofSeconds(60),
                () -> host.exec("virsh", "-c", "qemu:///system", "version").succeeded());
        int virtlogd = Integer.parseInt(host.readFile("/run/virtlogd.pid").trim());
        int libvirtd = Integer.parseInt(host.readFile("/run/libvirtd.pid").trim());
        assertAll(
                () -> assertEquals(virtsup.pid(), parentOf(virtlogd), "virtlogd is virtsup's child"),
                () -> assertEquals(virtsup.pid(), parentOf(libvirtd), "libvirtd is virtsup's child"));

        long sent = System.nanoTime();
        host.exec("kill", "-TERM", Integer.toString(virtsup.pid())).orFail();
        Poll.until("virtsup (pid " + virtsup.pid() + ") has exited", Duration.ofSeconds(30),
                () -> !host.isAlive(virtsup.pid()));
        Benchmark.record("SIGTERM to virtsup (not PID 1) until it has exited",
                Duration.ofNanos(System.nanoTime() - sent));

        String log = host.readFile(virtsup.logFile());
        assertAll(
                () -> assertFalse(host.isAlive(libvirtd), "libvirtd (pid " + libvirtd + ") is gone"),
                () -> assertFalse(host.isAlive(virtlogd), "virtlogd (pid " + virtlogd + ") is gone"),
                () -> assertEquals("", host.exec("pgrep", "-a", "libvirtd|virtlogd|qemu").stdout().trim(),
                        "no daemon process of any pid is left"),
                () -> assertFalse(host.exec("ps", "-eo", "stat=").orFail().stdout().lines()
                        .anyMatch(stat -> stat.startsWith("Z")), "no zombie is left"),
                () -> assertFalse(host.exists("/run/virtsup/control.sock"), "the control socket is removed"),
                () -> assertTrue(log.indexOf("libvirtd (pid " + libvirtd + ") stopped") >= 0
                                && log.indexOf("libvirtd (pid " + libvirtd + ") stopped")
                                < log.indexOf("virtlogd (pid " + virtlogd + ") stopped"),
                        "libvirtd stopped before virtlogd"),
                () -> assertTrue(log.contains("; exiting with code 0 (shutdown requested)"),
                        "virtsup exits 0"));
    }

    private static int parentOf(int pid) {
        return ProcessStat.parse(host.exec("cat", "/proc/" + pid + "/stat").orFail().stdout()).parentPid();
    }
}

package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;
import org.virtsup.it.VirtAdmin;

/**
 * A virtlogd started by hand (as a distribution's own unit would) holds the
 * lock on /run/virtlogd.pid: virtsup run must refuse to start a second
 * copy, name the running one, exit non-zero, and leave it alone.
 */
class OutsideCopyIT {

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    @Test
    void refusesWhileVirtlogdRunsOutsideAndLeavesItAlone() {
        DaemonProcess outside = host.startDaemon("virtlogd-by-hand", "virtlogd");
        VirtAdmin admin = new VirtAdmin(host, VirtAdmin.VIRTLOGD);
        Poll.until("the hand-started virtlogd answers virt-admin", Duration.ofSeconds(30), admin::answers);
        String startedBefore = startTime(outside.pid());

        // Were virtsup to start supervising instead of refusing, the exec would only end at its timeout.
        ExecResult refused = host.exec(Duration.ofSeconds(60), LibvirtHostContainer.virtsupCommand("run"));

        String output = refused.stdout() + refused.stderr();
        assertAll(
                () -> assertNotEquals(0, refused.exitCode(), "virtsup run refuses: " + refused.describe()),
                () -> assertFalse(refused.timedOut(), "virtsup run ended by itself: " + refused.describe()),
                () -> assertTrue(output.contains("virtlogd is already running outside virtsup as pid " + outside.pid()),
                        "names the running copy: " + output),
                () -> assertTrue(host.isAlive(outside.pid()), "the hand-started virtlogd still runs"),
                () -> assertEquals(startedBefore, startTime(outside.pid()), "and it is the same process"),
                () -> assertTrue(admin.answers(), "and it still answers"),
                () -> assertEquals(Integer.toString(outside.pid()), host.readFile("/run/virtlogd.pid").trim(),
                        "its pid file is untouched"),
                () -> assertEquals("1", host.exec("pgrep", "-c", "-x", "virtlogd").stdout().trim(),
                        "no second virtlogd"),
                () -> assertFalse(host.exists("/run/libvirtd.pid"), "libvirtd was not started either"));
        host.stop(outside);
    }

    /** Field 22 of /proc/PID/stat: with the pid, it names one process for good. */
    private static String startTime(int pid) {
        return Integer.toString(pid) + "@" + ProcessStat.parse(
                host.exec("cat", "/proc/" + pid + "/stat").orFail().stdout()).startTime();
    }
}

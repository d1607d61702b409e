package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.Poll;
import org.virtsup.it.TinyGuest;

/**
 * A running guest under virtsup as PID 1: its QEMU process is re-parented to
 * virtsup, outlives every libvirtd restart (virtsup signals libvirtd's own
 * pid only) and virtlogd's re-execution (its console log stays open), is
 * found again by each new libvirtd, and when it ends virtsup reaps it
 * without mistaking it for a daemon.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestsOutliveRestartsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String GUEST = "tiny";
    private static final String GUEST_LOG = "/var/log/libvirt/qemu/" + GUEST + ".log";

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withFile("/etc/virtsup-test/" + GUEST + ".xml", TinyGuest.xml(GUEST));

    private static int qemu;
    private static long qemuStarted;

    @Test
    @Order(1)
    void aGuestStartsAndItsQemuIsVirtsupsToReap() {
        Poll.until("libvirtd answers virsh", TIMEOUT, host::libvirtdAnswers);
        long sent = System.nanoTime();
        virsh("create", "/etc/virtsup-test/" + GUEST + ".xml");
        Benchmark.record("virsh create of a disk-less TCG guest under virtsup",
                Duration.ofNanos(System.nanoTime() - sent));
        qemu = host.pidFile("/run/libvirt/qemu/" + GUEST + ".pid").orElseThrow();
        ProcessStat stat = ProcessStat.of(host, qemu).orElseThrow();
        qemuStarted = stat.startTime();
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        assertAll(
                () -> assertEquals("running", virsh("domstate", GUEST)),
                () -> assertEquals(1, stat.parentPid(), "QEMU is re-parented to virtsup, not libvirtd's child"),
                () -> Poll.until("virtlogd holds the guest's console log open", TIMEOUT,
                        () -> holdsOpen(virtlogd, GUEST_LOG)));
    }

    @Test
    @Order(2)
    void theGuestsLogStaysOpenAcrossVirtlogdsReexecution() {
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        String reexecuted = "virtsup: virtlogd (pid " + virtlogd + ") re-executed itself and is ready again";
        int before = VirtsupLog.of(host).count(reexecuted);
        host.signalPid1("USR1");
        Poll.until("virtlogd re-executed itself", TIMEOUT, () -> VirtsupLog.of(host).count(reexecuted) > before);
        assertAll(
                () -> assertTrue(holdsOpen(virtlogd, GUEST_LOG), "the same virtlogd still holds the guest's log"),
                () -> assertGuestUntouched());
    }

    @Test
    @Order(3)
    void theGuestOutlivesAKilledLibvirtd() {
        int killed = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.exec("kill", "-KILL", Integer.toString(killed)).orFail();
        Poll.until("a new libvirtd answers virsh", TIMEOUT,
                () -> host.pidFile("/run/libvirtd.pid").orElse(killed) != killed && host.libvirtdAnswers());
        assertGuestUntouched();
    }

    @Test
    @Order(4)
    void theGuestOutlivesARequestedLibvirtdRestart() {
        int before = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.virtsup("restart", "libvirtd").orFail();
        Poll.until("the restarted libvirtd answers virsh", TIMEOUT, host::libvirtdAnswers);
        assertAll(
                () -> assertNotEquals(before, host.pidFile("/run/libvirtd.pid").orElseThrow(), "a new libvirtd"),
                () -> assertGuestUntouched());
    }

    @Test
    @Order(5)
    void theGuestsEndIsReapedAndNotTakenForADaemon() {
        SupervisorStatus before = SupervisorStatus.of(host);
        virsh("destroy", GUEST);
        Poll.until("QEMU (pid " + qemu + ") is gone, reaped by virtsup", TIMEOUT,
                () -> ProcessStat.of(host, qemu).isEmpty());
        SupervisorStatus after = SupervisorStatus.of(host);
        assertAll(
                () -> assertEquals(before.libvirtd().get("pid"), after.libvirtd().get("pid")),
                () -> assertEquals(before.libvirtd().get("restarts"), after.libvirtd().get("restarts")),
                () -> assertEquals(before.virtlogd().get("pid"), after.virtlogd().get("pid")),
                () -> assertEquals(before.virtlogd().get("restarts"), after.virtlogd().get("restarts")),
                () -> assertTrue(host.libvirtdAnswers()));
    }

    private static void assertGuestUntouched() {
        ProcessStat stat = ProcessStat.of(host, qemu).orElseThrow(
                () -> new AssertionError("the guest's QEMU (pid " + qemu + ") is gone"));
        assertAll(
                () -> assertEquals(qemuStarted, stat.startTime(), "the same QEMU process"),
                () -> assertEquals(1, stat.parentPid()),
                () -> assertEquals("running", virsh("domstate", GUEST), "libvirtd found the guest again"));
    }

    private static boolean holdsOpen(int pid, String path) {
        return host.exec("ls", "-l", "/proc/" + pid + "/fd").stdout().contains(path);
    }

    private static String virsh(String... command) {
        String[] argv = new String[command.length + 3];
        argv[0] = "virsh";
        argv[1] = "-c";
        argv[2] = "qemu:///system";
        System.arraycopy(command, 0, argv, 3, command.length);
        return host.exec(argv).orFail().stdout().trim();
    }
}

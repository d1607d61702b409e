package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 *
 * <p>The tests share a container: each one that needs the guest starts it if
 * none runs ({@link #runningGuest()}); the first test starts its own.
 */
class GuestsOutliveRestartsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String GUEST = "tiny";
    private static final String GUEST_LOG = "/var/log/libvirt/qemu/" + GUEST + ".log";
    private static final String QEMU_PID = "/run/libvirt/qemu/" + GUEST + ".pid";

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withFile("/etc/virtsup-test/" + GUEST + ".xml", TinyGuest.xml(GUEST));

    /** The guest's QEMU process, by its pid and start time. */
    private record Qemu(int pid, long startTime) {}

    @BeforeEach
    void libvirtdAnswers() {
        Poll.until("libvirtd answers virsh", TIMEOUT, host::libvirtdAnswers);
    }

    @Test
    void aGuestStartsAndItsQemuIsVirtsupsToReap() {
        if (guestRuns()) {
            int left = host.pidFile(QEMU_PID).orElseThrow();
            virsh("destroy", GUEST);
            Poll.until("the guest another test left (QEMU pid " + left + ") is gone", TIMEOUT,
                    () -> ProcessStat.of(host, left).isEmpty());
        }
        long sent = System.nanoTime();
        virsh("create", "/etc/virtsup-test/" + GUEST + ".xml");
        Benchmark.record("virsh create of a disk-less TCG guest under virtsup",
                Duration.ofNanos(System.nanoTime() - sent));
        int qemu = host.pidFile(QEMU_PID).orElseThrow();
        ProcessStat stat = ProcessStat.of(host, qemu).orElseThrow();
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        assertAll(
                () -> assertEquals("running", virsh("domstate", GUEST)),
                () -> assertEquals(1, stat.parentPid(), "QEMU is re-parented to virtsup, not libvirtd's child"),
                () -> Poll.until("virtlogd holds the guest's console log open", TIMEOUT,
                        () -> holdsOpen(virtlogd, GUEST_LOG)));
    }

    @Test
    void theGuestsLogStaysOpenAcrossVirtlogdsReexecution() {
        Qemu qemu = runningGuest();
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        String reexecuted = "virtsup: virtlogd (pid " + virtlogd + ") re-executed itself and is ready again";
        int before = VirtsupLog.of(host).count(reexecuted);
        host.signalPid1("USR1");
        Poll.until("virtlogd re-executed itself", TIMEOUT, () -> VirtsupLog.of(host).count(reexecuted) > before);
        assertAll(
                () -> assertTrue(holdsOpen(virtlogd, GUEST_LOG), "the same virtlogd still holds the guest's log"),
                () -> assertGuestUntouched(qemu));
    }

    @Test
    void theGuestOutlivesAKilledLibvirtd() {
        Qemu qemu = runningGuest();
        int killed = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.exec("kill", "-KILL", Integer.toString(killed)).orFail();
        Poll.until("a new libvirtd answers virsh", TIMEOUT,
                () -> host.pidFile("/run/libvirtd.pid").orElse(killed) != killed && host.libvirtdAnswers());
        assertGuestUntouched(qemu);
    }

    @Test
    void theGuestOutlivesARequestedLibvirtdRestart() {
        Qemu qemu = runningGuest();
        int before = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.virtsup("restart", "libvirtd").orFail();
        Poll.until("the restarted libvirtd answers virsh", TIMEOUT, host::libvirtdAnswers);
        assertAll(
                () -> assertNotEquals(before, host.pidFile("/run/libvirtd.pid").orElseThrow(), "a new libvirtd"),
                () -> assertGuestUntouched(qemu));
    }

    @Test
    void theGuestsEndIsReapedAndNotTakenForADaemon() {
        int qemu = runningGuest().pid();
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

    /** The guest's QEMU, the guest started first if none runs; once virtlogd holds its console log open. */
    private static Qemu runningGuest() {
        if (!guestRuns()) {
            virsh("create", "/etc/virtsup-test/" + GUEST + ".xml");
        }
        int qemu = host.pidFile(QEMU_PID).orElseThrow();
        int virtlogd = host.pidFile("/run/virtlogd.pid").orElseThrow();
        Poll.until("virtlogd holds the guest's console log open", TIMEOUT, () -> holdsOpen(virtlogd, GUEST_LOG));
        return new Qemu(qemu, ProcessStat.of(host, qemu).orElseThrow().startTime());
    }

    private static boolean guestRuns() {
        return host.exec("virsh", "-c", "qemu:///system", "domstate", GUEST).stdout().trim().equals("running");
    }

    private static void assertGuestUntouched(Qemu qemu) {
        ProcessStat stat = ProcessStat.of(host, qemu.pid()).orElseThrow(
                () -> new AssertionError("the guest's QEMU (pid " + qemu.pid() + ") is gone"));
        assertAll(
                () -> assertEquals(qemu.startTime(), stat.startTime(), "the same QEMU process"),
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

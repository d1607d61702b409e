package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.it.supervision.AdoptionSteps.LIBVIRTD_PID;
import static org.virtsup.it.supervision.AdoptionSteps.READY;
import static org.virtsup.it.supervision.AdoptionSteps.VIRTLOGD_PID;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * virtsup killed with SIGKILL leaves libvirtd and virtlogd running (re-parented
 * to the container's init); the next {@code virtsup run} adopts them, same
 * pids, instead of refusing, watches them through pidfds, and restarts an
 * adopted daemon that dies as its own child. A daemon no state record names
 * is still refused and left alone. virtsup is not PID 1 here: as PID 1 its
 * death would end the container. Docker's default seccomp profile refuses
 * pidfd_getfd, so here the adopted daemons' sockets are bound anew at their
 * next start ({@link AdoptionTakesSocketsBackIT} has them taken back).
 *
 * <p>The tests share the container; each starts the processes it needs and
 * stops them, and starts once none of another test's is left.
 */
class AdoptionIT {
    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    private static final String CONFIG = "/etc/virtsup/config.scm";

    private final AdoptionSteps steps = new AdoptionSteps(host);

    private static String configuration(int virtlogdMaxClients, int libvirtdMaxWorkers) {
        return """
                (service virtlog-service-type
                         (virtlog-configuration (max-clients %d)))
                (service libvirt-service-type
                         (libvirt-configuration (max-workers %d)))
                """.formatted(virtlogdMaxClients, libvirtdMaxWorkers);
    }

    @BeforeEach
    void nothingRuns() {
        Poll.until("no virtsup (java), libvirtd or virtlogd runs in the container", READY,
                () -> !host.exec("pgrep", "-x", "java|libvirtd|virtlogd").succeeded());
    }

    @Test
    void theDaemonsOfAKilledVirtsupAreAdoptedAndAnAdoptedLibvirtdThatDiesIsRestarted() {
        AdoptionSteps.Adopted adopted = steps.killAndRunAnother(steps.firstVirtsup());
        DaemonProcess second = adopted.virtsup();
        try {
            int replacement = steps.killAndAwaitReplacement(LIBVIRTD_PID, steps::libvirtdAnswers);
            ExecResult status = host.virtsup("status");
            String log = host.readFile(second.logFile());
            assertAll(
                    () -> assertNotEquals(adopted.libvirtd(), replacement),
                    () -> assertEquals(second.pid(), steps.parentOf(replacement), "the new libvirtd is virtsup's child"),
                    () -> assertTrue(log.contains("libvirtd (pid " + adopted.libvirtd() + ") ended (exit status unknown:"
                            + " not our child)"), log),
                    () -> assertEquals(0, status.exitCode(), status.describe()),
                    () -> assertTrue(status.stdout().contains("exit status unknown: not our child"), status.stdout()),
                    () -> assertEquals(adopted.virtlogd(), steps.pidFile(VIRTLOGD_PID), "virtlogd untouched"));

            host.stop(second);
            assertAll(
                    () -> assertFalse(host.isAlive(adopted.virtlogd()), "the adopted virtlogd was stopped at shutdown"),
                    () -> assertFalse(host.isAlive(replacement), "libvirtd was stopped at shutdown"),
                    () -> assertTrue(host.readFile(second.logFile()).contains("exiting with code 0"),
                            host.readFile(second.logFile())));
        } finally {
            host.stop(second);
        }
    }

    @Test
    void aLibvirtdNoStateRecordNamesIsRefusedAndLeftAlone() {
        DaemonProcess outside = host.startDaemon("libvirtd-by-hand", "libvirtd");
        try {
            Poll.until("the hand-started libvirtd holds its pid file", READY,
                    () -> host.exists(LIBVIRTD_PID) && host.readFile(LIBVIRTD_PID).strip()
                            .equals(Integer.toString(outside.pid())));
            long startedAt = steps.startTime(outside.pid());

            // Were virtsup to adopt or start it instead of refusing, the exec would only end at its timeout.
            ExecResult refused = host.exec(Duration.ofSeconds(60), LibvirtHostContainer.virtsupCommand("run"));
            String output = refused.stdout() + refused.stderr();
            assertAll(
                    () -> assertNotEquals(0, refused.exitCode(), refused.describe()),
                    () -> assertFalse(refused.timedOut(), refused.describe()),
                    () -> assertTrue(output.contains("libvirtd is already running outside virtsup as pid "
                            + outside.pid()), output),
                    () -> assertFalse(output.contains("adopted"), output),
                    () -> assertTrue(host.isAlive(outside.pid()), "the hand-started libvirtd still runs"),
                    () -> assertEquals(startedAt, steps.startTime(outside.pid()), "and it is the same process"),
                    () -> assertFalse(host.exec("pgrep", "-x", "virtlogd").succeeded(), "no virtlogd was started"));
        } finally {
            host.stop(outside);
        }
    }

    @Test
    void daemonsRunningAnOlderConfigurationAreAdoptedThenReloadedAsSighupWould() {
        host.writeFile(CONFIG, configuration(1024, 20));
        DaemonProcess first = steps.firstVirtsup("--config", CONFIG);
        int virtlogd = steps.pidFile(VIRTLOGD_PID);
        int libvirtd = steps.pidFile(LIBVIRTD_PID);
        host.writeFile(CONFIG, configuration(1025, 21));
        DaemonProcess second = steps.killAndStartAnother(first, "--config", CONFIG);
        try {
            Poll.until("libvirtd is restarted with the new libvirtd.conf and answers", READY,
                    () -> steps.pidIn(LIBVIRTD_PID).orElse(libvirtd) != libvirtd && steps.libvirtdAnswers());
            Poll.until("virtsup status exits 0", READY, () -> host.virtsup("status").exitCode() == 0);
            String log = host.readFile(second.logFile());
            assertAll(
                    () -> assertTrue(log.contains("virtlogd (pid " + virtlogd + ") adopted"), log),
                    () -> assertTrue(log.contains("libvirtd (pid " + libvirtd + ") adopted"), log),
                    () -> assertTrue(log.contains("virtlogd.conf changed: virtlogd (pid " + virtlogd + ") re-executes"
                            + " itself in place"), log),
                    () -> assertTrue(log.contains("libvirtd.conf changed; restarting libvirtd (pid " + libvirtd + ")"),
                            log),
                    () -> assertEquals(virtlogd, steps.pidFile(VIRTLOGD_PID), "virtlogd keeps its pid"),
                    () -> assertEquals(second.pid(), steps.parentOf(steps.pidFile(LIBVIRTD_PID)),
                            "the new libvirtd is virtsup's child"),
                    () -> assertTrue(host.readFile("/run/virtsup/libvirtd.conf").contains("max_workers = 21"),
                            host.readFile("/run/virtsup/libvirtd.conf")));
        } finally {
            host.stop(second);
            host.exec("rm", "-f", CONFIG).orFail(); // the others run virtsup without a file
        }
    }
}

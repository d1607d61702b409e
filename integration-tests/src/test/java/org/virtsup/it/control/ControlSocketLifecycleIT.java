package org.virtsup.it.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * The control socket across virtsup's life: a virtsup killed with SIGKILL
 * leaves a socket nobody answers on (exit 4, not a hang), the next virtsup
 * replaces it (and adopts the daemons the killed one left running), a
 * virtsup beside a running one leaves the running one's socket alone, and a
 * clean stop removes the socket. virtsup is not PID 1 here, so that it can
 * be killed and started again in one container.
 */
class ControlSocketLifecycleIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    @Test
    void theSocketFollowsTheVirtsupThatServesIt() {
        DaemonProcess first = startVirtsup("virtsup-first");
        StatusSnapshot firstStatus = VirtsupPid1.status(host);
        int firstPid = firstStatus.supervisorPid();
        int virtlogd = firstStatus.daemon("virtlogd").runningPid();
        int libvirtd = firstStatus.daemon("libvirtd").runningPid();

        host.exec("kill", "-9", Integer.toString(firstPid)).orFail();
        Poll.until("the first virtsup (pid " + firstPid + ") is gone", TIMEOUT, () -> !host.isAlive(firstPid));
        assertTrue(host.exists(VirtsupPid1.SOCKET), "SIGKILL leaves the socket file behind");
        ExecResult stale = VirtsupPid1.cli(host, "status");
        assertEquals(4, stale.exitCode(), stale::describe);
        assertTrue(stale.stderr().contains("Connection refused"), stale::describe);

        // Its daemons outlived it, as the state record it left names them: the next virtsup adopts them.
        DaemonProcess second = startVirtsup("virtsup-second");
        StatusSnapshot secondStatus = VirtsupPid1.status(host);
        int secondPid = secondStatus.supervisorPid();
        assertNotEquals(firstPid, secondPid, "the stale socket was replaced: " + secondStatus.json());
        assertEquals(virtlogd, secondStatus.daemon("virtlogd").runningPid(), "virtlogd adopted as it runs");
        assertEquals(libvirtd, secondStatus.daemon("libvirtd").runningPid(), "libvirtd adopted as it runs");

        // A third virtsup beside the second refuses and leaves the second's socket alone.
        ExecResult beside = host.exec(VirtsupPid1.cliCommand("run"));
        assertEquals(1, beside.exitCode(), beside::describe);
        ExecResult stillThere = VirtsupPid1.cli(host, "status", "--json");
        assertEquals(0, stillThere.exitCode(), stillThere::describe);
        assertEquals(secondPid, StatusSnapshot.parse(stillThere.stdout()).supervisorPid());

        host.exec("kill", "-TERM", Integer.toString(secondPid)).orFail();
        String log = Poll.untilPresent("the second virtsup exits after SIGTERM", TIMEOUT,
                () -> Optional.of(host.readFile(second.logFile())).filter(text -> text.contains("exit=")));
        assertTrue(log.contains("exit=0"), "a clean stop exits 0:\n" + log);
        assertFalse(host.exists(VirtsupPid1.SOCKET), "a clean stop removes the socket");
        ExecResult gone = VirtsupPid1.cli(host, "status");
        assertEquals(4, gone.exitCode(), gone::describe);
        List.of(first, second).forEach(host::stop);
    }

    /** Starts {@code virtsup run} in the background (its exit code goes to its log) and waits until it answers. */
    private static DaemonProcess startVirtsup(String name) {
        DaemonProcess virtsup = host.startDaemon(name, Stream.concat(
                Stream.of("bash", "-c", "\"$@\"; echo exit=$?", name),
                Stream.of(VirtsupPid1.cliCommand("run"))).toArray(String[]::new));
        VirtsupPid1.awaitAllRunning(host);
        return virtsup;
    }
}

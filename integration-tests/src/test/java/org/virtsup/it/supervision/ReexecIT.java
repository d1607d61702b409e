package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.it.supervision.AdoptionSteps.LIBVIRTD_PID;
import static org.virtsup.it.supervision.AdoptionSteps.READY;
import static org.virtsup.it.supervision.AdoptionSteps.VIRTLOGD_PID;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * {@code virtsup reexec} with the real daemons: virtsup replaces itself in
 * place, same pid, a new JVM; libvirtd and virtlogd are the same processes,
 * still its children, and a client connecting to every daemon socket all
 * along is never refused. A re-exec whose installed code cannot run is
 * refused and changes nothing. Each test starts and stops its own virtsup.
 */
class ReexecIT {
    private static final List<String> SOCKETS = List.of("/run/libvirt/virtlogd-sock",
            "/run/libvirt/virtlogd-admin-sock", "/var/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock-ro",
            "/var/run/libvirt/libvirt-admin-sock");
    private static final String JAR = LibvirtHostContainer.VIRTSUP_HOME + "/virtsup.jar";
    private static final String CLIENT_HOME = "/opt/virtsup-client";

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    private final AdoptionSteps steps = new AdoptionSteps(host);

    @Test
    void reexecKeepsVirtsupsPidAndBothDaemonsAndRefusesNoClient() {
        host.writeFile(ConnectingClients.SCRIPT, ConnectingClients.PROGRAM);
        DaemonProcess virtsup = steps.firstVirtsup();
        try {
            int virtlogd = steps.pidFile(VIRTLOGD_PID);
            int libvirtd = steps.pidFile(LIBVIRTD_PID);
            long virtlogdStart = steps.startTime(virtlogd);
            long libvirtdStart = steps.startTime(libvirtd);
            long virtsupStart = steps.startTime(virtsup.pid());
            ConnectingClients clients = ConnectingClients.start(host::exec, SOCKETS);

            long started = System.nanoTime();
            ExecResult reexec = host.virtsup("reexec");
            Benchmark.record("virtsup reexec until the new virtsup answers status with both daemons ready",
                    Duration.ofNanos(System.nanoTime() - started));

            Map<String, Map<String, Integer>> counts = clients.stop();
            counts.forEach((path, byOutcome) -> System.out.println("reexec, held sockets: " + path + " " + byOutcome));
            List<String> failed = new ArrayList<>();
            counts.forEach((path, byOutcome) -> {
                if (ConnectingClients.failures(byOutcome) != 0 || byOutcome.getOrDefault("ok", 0) == 0) {
                    failed.add(path + " " + byOutcome);
                }
            });
            ExecResult status = host.virtsup("status");
            String log = host.readFile(virtsup.logFile());
            log.lines().filter(line -> line.contains("re-exec") || line.contains("adopted") || line.contains("ready")
                    || line.contains("handed over") || line.contains("supervises"))
                    .forEach(line -> System.out.println("reexec: " + line));
            assertAll(
                    () -> assertEquals(0, reexec.exitCode(), reexec.describe() + "\n" + log),
                    () -> assertTrue(reexec.stdout().contains("virtsup re-executed in place in "), reexec.stdout()),
                    () -> assertTrue(host.isAlive(virtsup.pid()), "virtsup runs on"),
                    () -> assertEquals(virtsupStart, steps.startTime(virtsup.pid()), "the same process, pid kept"),
                    () -> assertTrue(log.contains("started by a live re-exec (generation 1)"), "a new JVM: " + log),
                    () -> assertEquals(virtlogdStart, steps.startTime(virtlogd), "the very same virtlogd"),
                    () -> assertEquals(libvirtdStart, steps.startTime(libvirtd), "the very same libvirtd"),
                    () -> assertEquals(virtlogd, steps.pidFile(VIRTLOGD_PID)),
                    () -> assertEquals(libvirtd, steps.pidFile(LIBVIRTD_PID)),
                    () -> assertEquals(virtsup.pid(), steps.parentOf(libvirtd), "libvirtd is still virtsup's child"),
                    () -> assertEquals(virtsup.pid(), steps.parentOf(virtlogd), "virtlogd is still virtsup's child"),
                    () -> assertEquals(0, status.exitCode(), status.describe()),
                    () -> assertTrue(status.stdout().contains("re-executed 1 time"), status.stdout()),
                    () -> assertEquals(List.of(), failed, "connects refused or failed during the re-exec (0 required)"));

            // Supervision goes on, with the exit status: the daemons are its children, reaped, not pidfd-watched.
            int replacement = steps.killAndAwaitReplacement(LIBVIRTD_PID, steps::libvirtdAnswers);
            assertEquals(virtsup.pid(), steps.parentOf(replacement), "the new libvirtd is virtsup's child");
            Poll.until("virtsup status exits 0 again", READY, () -> host.virtsup("status").exitCode() == 0);
            String after = host.readFile(virtsup.logFile());
            assertTrue(after.contains("libvirtd (pid " + libvirtd + ") killed by signal 9"), after);

            // And again: what was inherited is handed over once more.
            ExecResult second = host.virtsup("reexec");
            ExecResult again = host.virtsup("status");
            assertAll(
                    () -> assertEquals(0, second.exitCode(), second.describe()),
                    () -> assertEquals(0, again.exitCode(), again.describe()),
                    () -> assertTrue(again.stdout().contains("re-executed 2 times"), again.stdout()),
                    () -> assertEquals(replacement, steps.pidFile(LIBVIRTD_PID)),
                    () -> assertEquals(virtlogd, steps.pidFile(VIRTLOGD_PID)));
        } finally {
            host.stop(virtsup);
        }
        assertTrue(host.readFile(virtsup.logFile()).contains("exiting with code 0"), host.readFile(virtsup.logFile()));
    }

    @Test
    void aReexecWhoseInstalledCodeCannotRunIsRefusedAndChangesNothing() {
        DaemonProcess virtsup = steps.firstVirtsup();
        try {
            int virtlogd = steps.pidFile(VIRTLOGD_PID);
            int libvirtd = steps.pidFile(LIBVIRTD_PID);
            // A broken installation: the jar is gone. The running JVM has it open and goes on; the operator's
            // client runs from a copy.
            host.exec("cp", "-a", LibvirtHostContainer.VIRTSUP_HOME, CLIENT_HOME).orFail();
            host.exec("mv", JAR, JAR + ".aside").orFail();
            ExecResult reexec;
            try {
                reexec = host.exec("java", "-cp", CLIENT_HOME + "/virtsup.jar:" + CLIENT_HOME + "/lib/*",
                        "org.virtsup.cli.Main", "reexec");
            } finally {
                host.exec("mv", JAR + ".aside", JAR).orFail();
            }
            ExecResult status = host.virtsup("status");
            ExecResult refused = reexec;
            assertAll(
                    () -> assertEquals(1, refused.exitCode(), refused.describe()),
                    () -> assertTrue(refused.stderr().contains("virtsup reexec: re-exec refused: the installed virtsup"
                            + " cannot take over: '"), refused.stderr()),
                    () -> assertTrue(refused.stderr().contains("nothing was changed"), refused.stderr()),
                    () -> assertTrue(host.isAlive(virtsup.pid())),
                    () -> assertEquals(virtlogd, steps.pidFile(VIRTLOGD_PID)),
                    () -> assertEquals(libvirtd, steps.pidFile(LIBVIRTD_PID)),
                    () -> assertEquals(0, status.exitCode(), status.describe()),
                    () -> assertTrue(!status.stdout().contains("re-executed"), status.stdout()));
        } finally {
            host.stop(virtsup);
        }
    }

    /**
     * A TERM sent right after the old JVM execs, long before the new one can
     * handle it (about 0.8 s), waits for it: the new virtsup stops libvirtd,
     * then virtlogd, and exits 0, rather than being killed by the signal's
     * default action with both daemons left behind.
     */
    @Test
    void aTermSentDuringTheExecStopsEverythingInOrderOnceTheNewJvmRuns() {
        DaemonProcess virtsup = steps.firstVirtsup();
        int virtlogd = steps.pidFile(VIRTLOGD_PID);
        int libvirtd = steps.pidFile(LIBVIRTD_PID);
        try {
            String reexec = String.join(" ", LibvirtHostContainer.virtsupCommand("reexec"));
            // One shell in the container. After the exec's log line, it waits until the process ignores TERM
            // (SigIgn bit 15: the new program, TERM held), or 0.4 s at most: the new JVM is then still starting
            // either way, far from handling signals.
            // The log file holds earlier tests' lines too: only what follows this offset is this test's.
            long offset = Long.parseLong(host.exec("stat", "-c", "%s", virtsup.logFile()).orFail().stdout().strip());
            String since = "tail -c +" + (offset + 1) + " " + virtsup.logFile();
            String status = "/proc/" + virtsup.pid() + "/status";
            ExecResult sent = host.exec("sh", "-c", "(" + reexec + " > /tmp/reexec-term.log 2>&1 &); "
                    + "until " + since + " | grep -q 're-executing in place'; do sleep 0.005; done; "
                    + "i=0; while [ $i -lt 60 ]; do "
                    + "ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' " + status + "); "
                    + "[ $(( 0x$ign & 0x4000 )) -ne 0 ] && break; sleep 0.005; i=$((i + 1)); done; "
                    + "kill -TERM " + virtsup.pid() + "; echo \"polls: $i\"");
            System.out.println("reexec, TERM: sent after " + sent.stdout().strip());
            assertEquals(0, sent.exitCode(), sent.describe());
            Poll.until("virtsup ends after the TERM", Duration.ofSeconds(90), () -> !host.isAlive(virtsup.pid()));
            String log = host.exec("sh", "-c", since).orFail().stdout();
            log.lines().filter(line -> line.contains("re-exec") || line.contains("stopped") || line.contains("exiting")
                    || line.contains("signal")).forEach(line -> System.out.println("reexec, TERM: " + line));
            int libvirtdStopped = log.indexOf("virtsup: libvirtd (pid " + libvirtd + ") stopped");
            int virtlogdStopped = log.indexOf("virtsup: virtlogd (pid " + virtlogd + ") stopped");
            assertAll(
                    () -> assertTrue(log.contains("started by a live re-exec (generation 1)"), "the new JVM ran: " + log),
                    () -> assertTrue(log.contains("exiting with code 0"), "an orderly exit: " + log),
                    () -> assertTrue(libvirtdStopped > 0 && virtlogdStopped > libvirtdStopped,
                            "libvirtd stopped, then virtlogd: " + log),
                    () -> assertTrue(!host.isAlive(libvirtd) && !host.isAlive(virtlogd), "no daemon left behind"));
        } finally {
            host.stop(virtsup);
            for (int daemon : new int[] {libvirtd, virtlogd}) {
                if (host.isAlive(daemon)) { // left behind by a virtsup the TERM killed: ours to end
                    host.exec("kill", "-KILL", Integer.toString(daemon));
                }
            }
        }
    }
}

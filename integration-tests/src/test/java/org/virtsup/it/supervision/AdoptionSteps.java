package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import org.virtsup.it.Benchmark;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * The steps the adoption tests share: virtsup run (not PID 1), killed with
 * SIGKILL once it recorded both daemons, then a second virtsup run that must
 * adopt them; and what /proc says of a process.
 */
final class AdoptionSteps {
    static final Duration READY = Duration.ofSeconds(60);
    static final String LIBVIRTD_PID = "/run/libvirtd.pid";
    static final String VIRTLOGD_PID = "/run/virtlogd.pid";
    static final String STATE_RECORD = "/run/virtsup/daemons.state";

    /** The second virtsup and the daemons it adopted. */
    record Adopted(DaemonProcess virtsup, int virtlogd, int libvirtd) {}

    private final LibvirtHostContainer host;

    AdoptionSteps(LibvirtHostContainer host) {
        this.host = host;
    }

    /** A virtsup runs ({@code run ARGUMENTS}) until ready and recorded. */
    DaemonProcess firstVirtsup(String... arguments) {
        DaemonProcess first = host.startDaemon("virtsup-first", run(arguments));
        Poll.until("libvirtd under virtsup answers virsh", READY, this::libvirtdAnswers);
        int virtlogd = pidFile(VIRTLOGD_PID);
        int libvirtd = pidFile(LIBVIRTD_PID);
        Poll.until("the state record names both daemons", READY, () -> host.exists(STATE_RECORD)
                && host.readFile(STATE_RECORD).contains("daemon=virtlogd pid=" + virtlogd + " ")
                && host.readFile(STATE_RECORD).contains("daemon=libvirtd pid=" + libvirtd + " "));
        return first;
    }

    /** SIGKILL to {@code first}, then a second virtsup run: both daemons adopted, same processes. */
    Adopted killAndRunAnother(DaemonProcess first) {
        int virtlogd = pidFile(VIRTLOGD_PID);
        int libvirtd = pidFile(LIBVIRTD_PID);
        long virtlogdStart = startTime(virtlogd);
        long libvirtdStart = startTime(libvirtd);
        long started = System.nanoTime();
        DaemonProcess second = killAndStartAnother(first);
        Poll.until("the second virtsup reports both daemons ready", READY,
                () -> host.readFile(second.logFile()).contains("virtsup: ready: "));
        Benchmark.record("virtsup run after kill -9 of virtsup until it logs both daemons adopted and ready",
                Duration.ofNanos(System.nanoTime() - started));
        Poll.until("virtsup status exits 0 with both daemons adopted", READY,
                () -> host.virtsup("status").exitCode() == 0);
        Benchmark.record("virtsup run after kill -9 of virtsup until status 0 with both daemons adopted"
                + " (polled with virtsup status)", Duration.ofNanos(System.nanoTime() - started));
        String status = host.virtsup("status").stdout();
        String log = host.readFile(second.logFile());
        log.lines().filter(line -> line.contains("take") || line.contains("took"))
                .forEach(line -> System.out.println("adoption: " + line));
        assertAll(
                () -> assertTrue(host.isAlive(second.pid()), "the second virtsup runs: " + log),
                () -> assertEquals(virtlogd, pidFile(VIRTLOGD_PID), "virtlogd kept its pid"),
                () -> assertEquals(libvirtd, pidFile(LIBVIRTD_PID), "libvirtd kept its pid"),
                () -> assertEquals(virtlogdStart, startTime(virtlogd), "the very same virtlogd"),
                () -> assertEquals(libvirtdStart, startTime(libvirtd), "the very same libvirtd"),
                () -> assertTrue(log.contains("virtlogd (pid " + virtlogd + ") adopted"), log),
                () -> assertTrue(log.contains("libvirtd (pid " + libvirtd + ") adopted"), log),
                () -> assertEquals(2, status.split("adopted from an earlier virtsup", -1).length - 1,
                        "status says both are adopted: " + status));
        // Polled: under the connecting clients' load libvirtd may turn one connection away.
        Poll.until("the adopted libvirtd answers virsh", READY, this::libvirtdAnswers);
        assertEquals(libvirtd, pidFile(LIBVIRTD_PID), "and it is still the adopted one");
        return new Adopted(second, virtlogd, libvirtd);
    }

    /** SIGKILL to {@code first}; the daemons live on under the container's init; then a second virtsup starts. */
    DaemonProcess killAndStartAnother(DaemonProcess first, String... arguments) {
        int virtlogd = pidFile(VIRTLOGD_PID);
        int libvirtd = pidFile(LIBVIRTD_PID);
        host.exec("kill", "-KILL", Integer.toString(first.pid())).orFail();
        Poll.until("the first virtsup is gone", READY, () -> !host.isAlive(first.pid()));
        assertAll(
                () -> assertEquals(1, parentOf(virtlogd), "virtlogd lives on under the container's init"),
                () -> assertEquals(1, parentOf(libvirtd), "libvirtd lives on under the container's init"));
        return host.startDaemon("virtsup-second", run(arguments));
    }

    private static String[] run(String... arguments) {
        String[] argv = new String[arguments.length + 1];
        argv[0] = "run";
        System.arraycopy(arguments, 0, argv, 1, arguments.length);
        return LibvirtHostContainer.virtsupCommand(argv);
    }

    /** SIGKILL to the daemon of {@code pidFile}; returns the pid of the process that replaced it and answers. */
    int killAndAwaitReplacement(String pidFile, BooleanSupplier answers) {
        int pid = pidFile(pidFile);
        host.exec("kill", "-KILL", Integer.toString(pid)).orFail();
        Poll.until("a new process replaces pid " + pid + " (" + pidFile + ") and answers", READY,
                () -> pidIn(pidFile).orElse(pid) != pid && answers.getAsBoolean());
        return pidFile(pidFile);
    }

    boolean libvirtdAnswers() {
        return host.exec("virsh", "-c", "qemu:///system", "version").succeeded();
    }

    boolean virtlogdAnswers() {
        return host.exec("virt-admin", "-c", "virtlogd:///system", "server-list").succeeded();
    }

    /**
     * The pid a pid file holds now, read once; empty while it holds none (a
     * starting daemon truncates the file before it writes its pid).
     */
    OptionalInt pidIn(String path) {
        String text = host.exec("cat", path).stdout().strip();
        return text.matches("[0-9]{1,9}") ? OptionalInt.of(Integer.parseInt(text)) : OptionalInt.empty();
    }

    int pidFile(String path) {
        return Integer.parseInt(host.readFile(path).strip());
    }

    long startTime(int pid) {
        return stat(pid).startTime();
    }

    int parentOf(int pid) {
        return stat(pid).parentPid();
    }

    private ProcessStat stat(int pid) {
        return ProcessStat.parse(host.exec("cat", "/proc/" + pid + "/stat").orFail().stdout());
    }
}

package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Poll;

/**
 * virtsup holds the daemons' sockets itself and hands them over at every
 * start, as systemd's socket units do: a client connecting while a daemon is
 * killed and restarted, re-executes or restarts for a new configuration waits
 * in the backlog and is never refused, and every socket keeps the configured
 * group and mode.
 *
 * <p>The tests share a container; each starts from the class's configuration,
 * which {@link #bothDaemonsRunTheFirstConfiguration()} puts back if a test
 * changed it.
 */
class HeldSocketsIT {
    private static final int CYCLES = 20;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final String LIBVIRTD_PID = "/run/libvirtd.pid";
    private static final String VIRTLOGD_PID = "/run/virtlogd.pid";
    /** Each socket with the owner, group and mode it must keep: libvirt applies none to a handed socket. */
    private static final Map<String, String> SOCKETS = new LinkedHashMap<>();

    static {
        SOCKETS.put("/run/libvirt/virtlogd-sock", "700 root root");
        SOCKETS.put("/run/libvirt/virtlogd-admin-sock", "700 root root");
        SOCKETS.put("/var/run/libvirt/libvirt-sock", "770 root libvirt");
        SOCKETS.put("/var/run/libvirt/libvirt-sock-ro", "777 root libvirt");
        SOCKETS.put("/var/run/libvirt/libvirt-admin-sock", "700 root libvirt");
    }

    private static String configuration(int maxWorkers) {
        return configuration(maxWorkers, "");
    }

    /** {@code listenAddr} non-empty: libvirtd also listens on TCP port 16509 there. */
    private static String configuration(int maxWorkers, String listenAddr) {
        String tcp = listenAddr.isEmpty() ? "" : """
                          (listen-tcp? #t)
                          (auth-tcp "none")
                          (listen-addr "%s")""".formatted(listenAddr);
        return """
                (supervisor-configuration
                 (restart-delay-max 1)
                 (respawn-limit 0)%s)
                (service virtlog-service-type
                         (virtlog-configuration))
                (service libvirt-service-type
                         (libvirt-configuration
                          (unix-sock-group "libvirt")
                          (unix-sock-rw-perms "0770")
                          (unix-sock-admin-perms "0700")%s
                          (max-workers %d)))
                """.formatted(listenAddr.isEmpty() ? "" : "\n (listen? #t)", tcp, maxWorkers);
    }

    /** What the container starts with: unix sockets only, max-workers 20. */
    private static final String FIRST = configuration(20);

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withFile(ConnectingClients.SCRIPT, ConnectingClients.PROGRAM)
            .withConfiguration(FIRST);

    @BeforeEach
    void bothDaemonsRunTheFirstConfiguration() {
        host.restoreConfiguration(FIRST);
        Poll.until("both daemons run the file's configuration: libvirtd with max-workers 20, on no TCP port", READY,
                () -> "20".equals(AdminFields.shown(host, AdminFields.LIBVIRTD, "maxWorkers", "srv-threadpool-info",
                        "libvirtd")) && tcpListeners().isEmpty()
                        && SupervisorStatus.readyRunningTheFile(host) && host.libvirtdAnswers());
    }

    @Test
    void theDaemonsListenOnTheSocketsVirtsupHoldsWithTheConfiguredGroupAndMode() {
        assertSocketsAsConfigured();
        Set<Long> ours = socketInodes(1);
        for (String pidFile : List.of(VIRTLOGD_PID, LIBVIRTD_PID)) {
            int pid = host.pidFile(pidFile).orElseThrow();
            Set<Long> handed = socketInodes(pid);
            handed.retainAll(ours);
            assertEquals(pidFile.equals(VIRTLOGD_PID) ? 2 : 3, handed.size(),
                    "the sockets pid " + pid + " shares with virtsup: " + handed);
            String commandLine = host.exec("cat", "/proc/" + pid + "/cmdline").orFail().stdout().replace('\0', ' ');
            assertTrue(commandLine.startsWith("/usr/sbin/"), "the exec-in-place step is gone: " + commandLine);
        }
        SupervisorStatus status = SupervisorStatus.of(host);
        assertEquals(List.of("/run/libvirt/virtlogd-sock true", "/run/libvirt/virtlogd-admin-sock true"),
                handedSockets(status.virtlogd()), "status shows virtlogd's handed sockets, listened on");
        assertEquals(List.of("/var/run/libvirt/libvirt-sock true", "/var/run/libvirt/libvirt-sock-ro true",
                "/var/run/libvirt/libvirt-admin-sock true"), handedSockets(status.libvirtd()));
    }

    /** "address listening" for each socket status --json shows the daemon handed, with an inode virtsup holds. */
    @SuppressWarnings("unchecked")
    private static List<String> handedSockets(Map<String, Object> daemon) {
        Set<Long> ours = socketInodes(1);
        List<String> sockets = new ArrayList<>();
        for (Map<String, Object> socket : (List<Map<String, Object>>) daemon.get("sockets")) {
            assertTrue(ours.contains(((Number) socket.get("inode")).longValue()), "virtsup holds " + socket);
            sockets.add(socket.get("address") + " " + socket.get("listening"));
        }
        return sockets;
    }

    @Test
    void noClientIsRefusedWhileEachDaemonIsKilledAndRestartedTwentyTimes() {
        ConnectingClients clients = ConnectingClients.start(host, List.copyOf(SOCKETS.keySet()));
        long started = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            killAndAwaitReplacement(VIRTLOGD_PID, this::virtlogdAnswers);
            killAndAwaitReplacement(LIBVIRTD_PID, host::libvirtdAnswers);
        }
        Map<String, Map<String, Integer>> counts = clients.stop();
        report("kill -9, " + CYCLES + " cycles of each daemon in " + Duration.ofNanos(System.nanoTime() - started)
                .toSeconds() + " s", counts);
        assertNoFailures(counts);
        assertSocketsAsConfigured();
    }

    @Test
    void noClientIsRefusedWhileVirtlogdReexecutesAndLibvirtdRestartsForANewConfiguration() {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        Set<Long> virtlogdSockets = socketInodes(virtlogd);
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        ConnectingClients clients = ConnectingClients.start(host, List.copyOf(SOCKETS.keySet()));
        for (int i = 0; i < 5; i++) {
            host.virtsup("reload", "virtlogd").orFail();
        }
        host.writeFile(SupervisorContainer.CONFIG, configuration(21));
        host.virtsup("reload").orFail();
        Poll.until("a new libvirtd answers", READY,
                () -> host.pidFile(LIBVIRTD_PID).orElse(libvirtd) != libvirtd && host.libvirtdAnswers());
        host.signalPid1("HUP"); // unchanged: libvirtd reloads its drivers (SIGHUP) in place
        host.virtsup("reload", "libvirtd").orFail();
        Map<String, Map<String, Integer>> counts = clients.stop();
        report("virtlogd re-executed 5 times, libvirtd restarted for a new libvirtd.conf and reloaded twice", counts);
        assertAll(
                () -> assertNoFailures(counts),
                () -> assertEquals(virtlogd, host.pidFile(VIRTLOGD_PID).orElseThrow(), "virtlogd kept its pid"),
                () -> assertEquals(virtlogdSockets, socketInodes(virtlogd), "virtlogd kept its sockets across exec"),
                () -> assertNotEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow()),
                HeldSocketsIT::assertSocketsAsConfigured);
    }

    /**
     * 0.0.0.0:16509 to 127.0.0.1:16509 while libvirtd runs with its copy of the
     * wildcard socket: the port is taken until that libvirtd ends, so the
     * narrower socket is bound between its exit and its successor's start.
     */
    @Test
    void aListenAddressNarrowedOnTheSamePortIsTakenWithoutARefusal() {
        host.writeFile(SupervisorContainer.CONFIG, configuration(21, "0.0.0.0"));
        host.virtsup("reload").orFail();
        Poll.until("libvirtd listens on 0.0.0.0:16509", READY, () -> tcpListeners().contains("00000000:407D"));
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();

        host.writeFile(SupervisorContainer.CONFIG, configuration(21, "127.0.0.1"));
        host.virtsup("reload").orFail();

        Poll.until("a new libvirtd answers", READY,
                () -> host.pidFile(LIBVIRTD_PID).orElse(libvirtd) != libvirtd && host.libvirtdAnswers());
        assertEquals(List.of("0100007F:407D"), tcpListeners(), "only the loopback address listens on 16509");
        assertTrue(host.exec("virsh", "-c", "qemu+tcp://127.0.0.1/system", "version").succeeded(),
                "libvirtd answers on the narrowed address");
        assertEquals(Boolean.TRUE, SupervisorStatus.of(host).configMatchesFile(), "the reload was taken");
    }

    /** The local address:port (hex, as /proc/net/tcp writes it) of each TCP socket listening on port 16509. */
    private static List<String> tcpListeners() {
        return host.exec("cat", "/proc/net/tcp").orFail().stdout().lines().skip(1).map(String::trim)
                .map(line -> line.split("\\s+")).filter(fields -> fields[3].equals("0A"))
                .map(fields -> fields[1]).filter(local -> local.endsWith(":407D")).distinct().toList();
    }

    private boolean virtlogdAnswers() {
        return host.exec("virt-admin", "-c", "virtlogd:///system", "server-list").succeeded();
    }

    private static void killAndAwaitReplacement(String pidFile, BooleanSupplier answers) {
        int pid = host.pidFile(pidFile).orElseThrow();
        host.exec("kill", "-KILL", Integer.toString(pid)).orFail();
        Poll.until("a new process replaces pid " + pid + " (" + pidFile + ") and answers", READY,
                () -> host.pidFile(pidFile).orElse(pid) != pid && answers.getAsBoolean());
    }

    private static void report(String what, Map<String, Map<String, Integer>> counts) {
        counts.forEach((path, byOutcome) -> System.out.println("held sockets, " + what + ": " + path + " " + byOutcome));
    }

    private static void assertNoFailures(Map<String, Map<String, Integer>> counts) {
        List<String> failed = new ArrayList<>();
        counts.forEach((path, byOutcome) -> {
            if (ConnectingClients.failures(byOutcome) != 0 || byOutcome.getOrDefault("ok", 0) == 0) {
                failed.add(path + " " + byOutcome);
            }
        });
        assertEquals(List.of(), failed, "connects that were refused or failed (0 required)");
        assertEquals(SOCKETS.keySet(), counts.keySet());
    }

    private static void assertSocketsAsConfigured() {
        Map<String, String> actual = new LinkedHashMap<>();
        for (String path : SOCKETS.keySet()) {
            actual.put(path, host.exec("stat", "-c", "%a %U %G %F", path).orFail().stdout().strip());
        }
        Map<String, String> expected = new LinkedHashMap<>();
        SOCKETS.forEach((path, modes) -> expected.put(path, modes + " socket"));
        assertEquals(expected, actual);
    }

    /** The inodes of the sockets process {@code pid} holds, from /proc/PID/fd. */
    private static Set<Long> socketInodes(int pid) {
        String links = host.exec("sh", "-c", "for f in /proc/" + pid + "/fd/*; do readlink $f; done").orFail().stdout();
        Set<Long> inodes = new HashSet<>();
        links.lines().filter(l -> l.startsWith("socket:[")).forEach(l -> inodes.add(Long.parseLong(
                l.substring(8, l.length() - 1))));
        return inodes;
    }
}

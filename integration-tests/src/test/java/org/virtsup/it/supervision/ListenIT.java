package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Poll;

/**
 * {@code (listen? #t)} is not in libvirtd.conf: with listen-tcp? virtsup binds
 * TCP port 16509 itself and hands it to libvirtd with the unix sockets
 * (libvirtd refuses {@code --listen} beside handed sockets, so it gets none).
 * Turning it off with a reload must close that socket and restart libvirtd,
 * not leave a cleartext TCP socket open behind a status that says the
 * running configuration matches the file.
 */
class ListenIT {
    /** 16509, libvirt's TCP port, as /proc/net/tcp spells it. */
    private static final String TCP_PORT_HEX = ":407D";

    private static String configuration(boolean listen) {
        return """
                (supervisor-configuration
                 (listen? %s))
                (service virtlog-service-type
                         (virtlog-configuration))
                (service libvirt-service-type
                         (libvirt-configuration
                          (listen-tls? #f)
                          (listen-tcp? #t)
                          (auth-tcp "none")))
                """.formatted(listen ? "#t" : "#f");
    }

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            .withConfiguration(configuration(true));

    /** One scenario: the reload only means something after the socket was seen open. */
    @Test
    void listenHandsATcpSocketAndTurningItOffClosesItAndRestartsLibvirtd() {
        listenHandsLibvirtdATcpSocketAndItServesTcp();
        turningListenOffClosesTheTcpSocketAndRestartsLibvirtd();
    }

    private static void listenHandsLibvirtdATcpSocketAndItServesTcp() {
        Poll.until("libvirtd answers virsh", Duration.ofSeconds(60), host::libvirtdAnswers);
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        assertAll(
                () -> assertFalse(commandLine(libvirtd).contains("--listen"), commandLine(libvirtd)),
                () -> assertTrue(host.exec("sh", "-c", "tr '\\0' '\\n' < /proc/" + libvirtd + "/environ").orFail()
                        .stdout().contains("LISTEN_FDNAMES=libvirtd.socket:libvirtd-ro.socket:libvirtd-admin.socket"
                                + ":libvirtd-tcp.socket\n"), "libvirtd is handed its TCP socket"),
                () -> assertTrue(listensOnTcp(), "a socket listens on TCP port 16509"),
                () -> assertTrue(host.exec("virsh", "-c", "qemu+tcp://127.0.0.1/system", "version").succeeded(),
                        "virsh answers over TCP"));
    }

    private static void turningListenOffClosesTheTcpSocketAndRestartsLibvirtd() {
        int before = host.pidFile("/run/libvirtd.pid").orElseThrow();
        host.writeFile(SupervisorContainer.CONFIG, configuration(false));
        host.signalPid1("HUP");
        Poll.until("a new libvirtd answers virsh", Duration.ofSeconds(60),
                () -> host.pidFile("/run/libvirtd.pid").orElse(before) != before && host.libvirtdAnswers());
        int after = host.pidFile("/run/libvirtd.pid").orElseThrow();
        SupervisorStatus status = SupervisorStatus.of(host);
        assertAll(
                () -> assertNotEquals(before, after, "libvirtd was restarted"),
                () -> assertFalse(commandLine(after).contains("--listen"), commandLine(after)),
                () -> assertFalse(listensOnTcp(), "nothing listens on TCP port 16509 any more"),
                () -> assertEquals(Boolean.TRUE, status.configMatchesFile()));
    }

    private static String commandLine(int pid) {
        return host.exec("cat", "/proc/" + pid + "/cmdline").orFail().stdout().replace('\0', ' ').trim();
    }

    /** Whether /proc/net/tcp or tcp6 has a socket in state LISTEN (0A) on port 16509. */
    private static boolean listensOnTcp() {
        String sockets = host.exec("cat", "/proc/net/tcp", "/proc/net/tcp6").orFail().stdout();
        return sockets.lines().map(line -> line.trim().split("\\s+"))
                .anyMatch(fields -> fields.length > 3 && fields[1].endsWith(TCP_PORT_HEX) && fields[3].equals("0A"));
    }
}

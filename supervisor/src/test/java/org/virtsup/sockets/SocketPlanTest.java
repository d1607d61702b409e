package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;

class SocketPlanTest {
    private final FakePosix posix = new FakePosix().addGroup("root", 0).addGroup("libvirt", 990);

    private static Configuration configuration(String text) {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("test.scm", text, "testhost");
        return loaded.configuration().orElseThrow(() -> new AssertionError(loaded.diagnostics().toString()));
    }

    private static SocketSpec unix(Daemon daemon, String name, String path, int gid, int mode) {
        return new SocketSpec(daemon, name, new Endpoint.Unix(path, gid, mode));
    }

    @Test
    void everyUnixSocketOfBothDaemonsAsTheyWouldCreateThem() throws IOException {
        List<SocketSpec> plan = SocketPlan.of(configuration("""
                (service virtlog-service-type)
                (service libvirt-service-type (libvirt-configuration (unix-sock-group "libvirt")
                  (unix-sock-dir "/run/vs/") (unix-sock-rw-perms "0770") (listen-tcp? #t)))
                """), posix);
        assertEquals(List.of(
                unix(Daemon.VIRTLOGD, "virtlogd.socket", "/run/libvirt/virtlogd-sock", 0, 0700),
                unix(Daemon.VIRTLOGD, "virtlogd-admin.socket", "/run/libvirt/virtlogd-admin-sock", 0, 0700),
                unix(Daemon.LIBVIRTD, "libvirtd.socket", "/run/vs/libvirt-sock", 990, 0770),
                unix(Daemon.LIBVIRTD, "libvirtd-ro.socket", "/run/vs/libvirt-sock-ro", 990, 0777),
                unix(Daemon.LIBVIRTD, "libvirtd-admin.socket", "/run/vs/libvirt-admin-sock", 990, 0777)), plan,
                "without listen? no TCP or TLS socket, whatever listen-tcp? says");
    }

    @Test
    void listenAddsTheTcpAndTlsSocketsOnTheListenAddress() throws IOException {
        List<SocketSpec> plan = SocketPlan.of(configuration("""
                (supervisor-configuration (listen? #t))
                (service libvirt-service-type (libvirt-configuration (listen-tcp? #t) (listen-tls? #t)
                  (listen-addr "127.0.0.1") (tcp-port "16600") (tls-port "16601")))
                """), posix);
        assertEquals(List.of(new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket", new Endpoint.Tcp("127.0.0.1", 16600)),
                new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tls.socket", new Endpoint.Tcp("127.0.0.1", 16601))),
                plan.subList(3, plan.size()));
    }

    @Test
    void aPortThatIsNoNumberIsAnErrorNamingTheField() {
        IOException failure = assertThrows(IOException.class, () -> SocketPlan.of(configuration("""
                (supervisor-configuration (listen? #t))
                (service libvirt-service-type (libvirt-configuration (listen-tcp? #t) (tcp-port "libvirt")))
                """), posix));
        assertEquals("tcp-port \"libvirt\" is not a port number between 1 and 65535; virtsup binds libvirtd's"
                + " listening sockets itself and needs the number", failure.getMessage());
    }

    @Test
    void aMissingGroupIsAnError() {
        IOException failure = assertThrows(IOException.class, () -> SocketPlan.of(configuration(
                "(service libvirt-service-type (libvirt-configuration (unix-sock-group \"kvm-users\")))\n"), posix));
        assertEquals("unix-sock-group \"kvm-users\" does not exist: create the group or name another one",
                failure.getMessage());
    }

    /** A resolver that hangs (an unreachable DNS server) holds a reload, on the event loop, a bounded time. */
    @Test
    void aListenAddressThatDoesNotResolveInTimeIsAnErrorNotAWait() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        SocketPlan.Resolver hanging = name -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(name);
        };
        Configuration listening = configuration("""
                (supervisor-configuration (listen? #t))
                (service libvirt-service-type (libvirt-configuration (listen-tcp? #t)
                  (listen-addr "libvirt.example.org")))
                """);

        IOException failure = assertTimeoutPreemptively(SocketPlan.RESOLVED_WITHIN.plusSeconds(3),
                () -> assertThrows(IOException.class, () -> SocketPlan.of(listening, posix, hanging)));

        assertEquals("listen-addr \"libvirt.example.org\" did not resolve within 2 s; virtsup binds libvirtd's"
                + " libvirtd-tcp.socket itself: give a numeric address, or check the resolver (/etc/resolv.conf)",
                failure.getMessage());
        never.countDown();
    }
}

package org.virtsup.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtConfiguration;
import org.virtsup.posix.Posix;
import org.virtsup.supervise.Daemon;

/**
 * Every socket the configured daemons listen on, as each daemon would create
 * it, in the order it is handed over. libvirtd: {@code libvirt-sock},
 * {@code libvirt-sock-ro} and {@code libvirt-admin-sock} in
 * {@code unix-sock-dir} with {@code unix-sock-group} and the
 * {@code unix-sock-*-perms}; with {@code listen?}, the TCP socket
 * ({@code listen-tcp?}) and the TLS one ({@code listen-tls?}) on every address
 * {@code listen-addr} resolves to. virtlogd: {@code /run/libvirt/virtlogd-sock}
 * and {@code virtlogd-admin-sock}, root's, mode 0700 (virtlogd's own, fixed
 * in its code). Without {@code listen?} the TCP and TLS sockets are simply not
 * handed: libvirtd refuses {@code --listen} together with handed sockets, and
 * opens no TCP socket of its own when it was handed some.
 */
public final class SocketPlan {
    static final String VIRTLOGD_DIRECTORY = "/run/libvirt";
    private static final int VIRTLOGD_MODE = 0700;

    /**
     * How long {@code listen-addr} may take to resolve. A reload runs on the
     * event loop: a resolver that hangs (an unreachable DNS server) must not
     * hold supervision for its own timeouts, 5 s per try and server.
     */
    static final Duration RESOLVED_WITHIN = Duration.ofSeconds(2);

    /** Names to addresses: the system's resolver, or a test's. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] addressesOf(String name) throws UnknownHostException;
    }

    private SocketPlan() {}

    public static List<SocketSpec> of(Configuration configuration, Posix posix) throws IOException {
        return of(configuration, posix, InetAddress::getAllByName);
    }

    static List<SocketSpec> of(Configuration configuration, Posix posix, Resolver resolver) throws IOException {
        List<SocketSpec> plan = new ArrayList<>();
        if (configuration.virtlog().isPresent()) {
            plan.add(unix(Daemon.VIRTLOGD, "virtlogd.socket", VIRTLOGD_DIRECTORY + "/virtlogd-sock", 0, VIRTLOGD_MODE));
            plan.add(unix(Daemon.VIRTLOGD, "virtlogd-admin.socket", VIRTLOGD_DIRECTORY + "/virtlogd-admin-sock", 0,
                    VIRTLOGD_MODE));
        }
        if (configuration.libvirt().isPresent()) {
            LibvirtConfiguration libvirt = configuration.libvirt().get();
            int gid = posix.groupId(libvirt.unixSockGroup()).orElseThrow(() -> new IOException(
                    "unix-sock-group \"" + libvirt.unixSockGroup() + "\" does not exist: create the group or name"
                    + " another one"));
            String dir = libvirt.unixSockDir();
            plan.add(unix(Daemon.LIBVIRTD, "libvirtd.socket", dir + "/libvirt-sock", gid,
                    mode("unix-sock-rw-perms", libvirt.unixSockRwPerms())));
            plan.add(unix(Daemon.LIBVIRTD, "libvirtd-ro.socket", dir + "/libvirt-sock-ro", gid,
                    mode("unix-sock-ro-perms", libvirt.unixSockRoPerms())));
            plan.add(unix(Daemon.LIBVIRTD, "libvirtd-admin.socket", dir + "/libvirt-admin-sock", gid,
                    mode("unix-sock-admin-perms", libvirt.unixSockAdminPerms())));
            if (configuration.supervisor().listen()) {
                if (libvirt.listenTcp()) {
                    tcp(plan, resolver, "libvirtd-tcp.socket", libvirt.listenAddr(), port("tcp-port", libvirt.tcpPort()));
                }
                if (libvirt.listenTls()) {
                    tcp(plan, resolver, "libvirtd-tls.socket", libvirt.listenAddr(), port("tls-port", libvirt.tlsPort()));
                }
            }
        }
        return List.copyOf(plan);
    }

    private static SocketSpec unix(Daemon daemon, String name, String path, int gid, int mode) {
        // unix-sock-dir may be written with a trailing slash or doubled ones.
        return new SocketSpec(daemon, name, new Endpoint.Unix(path.replaceAll("/+", "/"), gid, mode));
    }

    /** One socket per address, as libvirt binds one per getaddrinfo result. */
    private static void tcp(List<SocketSpec> plan, Resolver resolver, String name, String listenAddr, int port)
            throws IOException {
        Set<String> hosts = new LinkedHashSet<>();
        for (InetAddress address : resolve(resolver, name, listenAddr)) {
            hosts.add(address.getHostAddress());
        }
        for (String host : hosts) {
            plan.add(new SocketSpec(Daemon.LIBVIRTD, name, new Endpoint.Tcp(host, port)));
        }
    }

    /** {@code listen-addr}'s addresses, resolved on a thread of its own and waited for {@link #RESOLVED_WITHIN}. */
    private static InetAddress[] resolve(Resolver resolver, String name, String listenAddr) throws IOException {
        CompletableFuture<InetAddress[]> addresses = new CompletableFuture<>();
        Thread lookup = new Thread(() -> {
            try {
                addresses.complete(resolver.addressesOf(listenAddr));
            } catch (UnknownHostException | RuntimeException e) {
                addresses.completeExceptionally(e);
            }
        }, "virtsup-resolve-listen-addr");
        lookup.setDaemon(true);
        lookup.start();
        try {
            return addresses.get(RESOLVED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("listen-addr \"" + listenAddr + "\" did not resolve within "
                    + RESOLVED_WITHIN.toSeconds() + " s; virtsup binds libvirtd's " + name + " itself: give a numeric"
                    + " address, or check the resolver (/etc/resolv.conf)", e);
        } catch (ExecutionException e) {
            throw new IOException("listen-addr \"" + listenAddr + "\" does not resolve to an address of this host;"
                    + " virtsup binds libvirtd's " + name + " itself: give an address or a resolvable name",
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resolving listen-addr \"" + listenAddr + "\"", e);
        }
    }

    private static int mode(String field, String perms) throws IOException {
        try {
            int mode = Integer.parseInt(perms, 8);
            if (mode >= 0 && mode <= 07777) {
                return mode;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(field + " \"" + perms + "\" is not an octal mode such as \"0770\"");
    }

    private static int port(String field, String value) throws IOException {
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(field + " \"" + value + "\" is not a port number between 1 and 65535; virtsup binds"
                + " libvirtd's listening sockets itself and needs the number");
    }
}

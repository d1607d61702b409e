package org.virtsup.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

    private SocketPlan() {}

    public static List<SocketSpec> of(Configuration configuration, Posix posix) throws IOException {
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
                    tcp(plan, "libvirtd-tcp.socket", libvirt.listenAddr(), port("tcp-port", libvirt.tcpPort()));
                }
                if (libvirt.listenTls()) {
                    tcp(plan, "libvirtd-tls.socket", libvirt.listenAddr(), port("tls-port", libvirt.tlsPort()));
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
    private static void tcp(List<SocketSpec> plan, String name, String listenAddr, int port) throws IOException {
        Set<String> hosts = new LinkedHashSet<>();
        try {
            for (InetAddress address : InetAddress.getAllByName(listenAddr)) {
                hosts.add(address.getHostAddress());
            }
        } catch (UnknownHostException e) {
            throw new IOException("listen-addr \"" + listenAddr + "\" does not resolve to an address of this host;"
                    + " virtsup binds libvirtd's " + name + " itself: give an address or a resolvable name", e);
        }
        for (String host : hosts) {
            plan.add(new SocketSpec(Daemon.LIBVIRTD, name, new Endpoint.Tcp(host, port)));
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

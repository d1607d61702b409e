package org.virtsup.config;

import java.util.List;

/**
 * The {@code (libvirt-configuration ...)} of {@code libvirt-service-type}: libvirtd's settings.
 * One typed accessor per field of the catalog; values outside the accessors'
 * types never get here (validation refuses them first).
 */
public final class LibvirtConfiguration extends DaemonConfiguration {
    LibvirtConfiguration(Settings settings) {
        super(Section.LIBVIRT, settings);
    }

    /** Every field at its default (for tests and tools; the loader builds the real ones). */
    public static LibvirtConfiguration defaults(String hostName) {
        return new LibvirtConfiguration(defaults(Section.LIBVIRT, hostName));
    }

    /** {@code libvirt}. */
    public String libvirt() {
        return settings.string("libvirt");
    }

    /** {@code listen-tls?}. */
    public boolean listenTls() {
        return settings.bool("listen-tls?");
    }

    /** {@code listen-tcp?}. */
    public boolean listenTcp() {
        return settings.bool("listen-tcp?");
    }

    /** {@code tls-port}. */
    public String tlsPort() {
        return settings.string("tls-port");
    }

    /** {@code tcp-port}. */
    public String tcpPort() {
        return settings.string("tcp-port");
    }

    /** {@code listen-addr}. */
    public String listenAddr() {
        return settings.string("listen-addr");
    }

    /** {@code mdns-adv?}. */
    public boolean mdnsAdv() {
        return settings.bool("mdns-adv?");
    }

    /** {@code mdns-name}. */
    public String mdnsName() {
        return settings.string("mdns-name");
    }

    /** {@code unix-sock-group}. */
    public String unixSockGroup() {
        return settings.string("unix-sock-group");
    }

    /** {@code unix-sock-ro-perms}. */
    public String unixSockRoPerms() {
        return settings.string("unix-sock-ro-perms");
    }

    /** {@code unix-sock-rw-perms}. */
    public String unixSockRwPerms() {
        return settings.string("unix-sock-rw-perms");
    }

    /** {@code unix-sock-admin-perms}. */
    public String unixSockAdminPerms() {
        return settings.string("unix-sock-admin-perms");
    }

    /** {@code unix-sock-dir}. */
    public String unixSockDir() {
        return settings.string("unix-sock-dir");
    }

    /** {@code auth-unix-ro}. */
    public String authUnixRo() {
        return settings.string("auth-unix-ro");
    }

    /** {@code auth-unix-rw}. */
    public String authUnixRw() {
        return settings.string("auth-unix-rw");
    }

    /** {@code auth-tcp}. */
    public String authTcp() {
        return settings.string("auth-tcp");
    }

    /** {@code auth-tls}. */
    public String authTls() {
        return settings.string("auth-tls");
    }

    /** {@code access-drivers}. */
    public List<String> accessDrivers() {
        return settings.list("access-drivers");
    }

    /** {@code key-file}. */
    public String keyFile() {
        return settings.string("key-file");
    }

    /** {@code cert-file}. */
    public String certFile() {
        return settings.string("cert-file");
    }

    /** {@code ca-file}. */
    public String caFile() {
        return settings.string("ca-file");
    }

    /** {@code crl-file}. */
    public String crlFile() {
        return settings.string("crl-file");
    }

    /** {@code tls-no-sanity-cert}. */
    public boolean tlsNoSanityCert() {
        return settings.bool("tls-no-sanity-cert");
    }

    /** {@code tls-no-verify-cert}. */
    public boolean tlsNoVerifyCert() {
        return settings.bool("tls-no-verify-cert");
    }

    /** {@code tls-allowed-dn-list}. */
    public List<String> tlsAllowedDnList() {
        return settings.list("tls-allowed-dn-list");
    }

    /** {@code sasl-allowed-usernames}. */
    public List<String> saslAllowedUsernames() {
        return settings.list("sasl-allowed-usernames");
    }

    /** {@code tls-priority}. */
    public String tlsPriority() {
        return settings.string("tls-priority");
    }

    /** {@code max-queued-clients}. */
    public int maxQueuedClients() {
        return (int) settings.integer("max-queued-clients");
    }

    /** {@code max-anonymous-clients}. */
    public int maxAnonymousClients() {
        return (int) settings.integer("max-anonymous-clients");
    }

    /** {@code min-workers}. */
    public int minWorkers() {
        return (int) settings.integer("min-workers");
    }

    /** {@code max-workers}. */
    public int maxWorkers() {
        return (int) settings.integer("max-workers");
    }

    /** {@code prio-workers}. */
    public int prioWorkers() {
        return (int) settings.integer("prio-workers");
    }

    /** {@code max-requests}. */
    public int maxRequests() {
        return (int) settings.integer("max-requests");
    }

    /** {@code max-client-requests}. */
    public int maxClientRequests() {
        return (int) settings.integer("max-client-requests");
    }

    /** {@code admin-min-workers}. */
    public int adminMinWorkers() {
        return (int) settings.integer("admin-min-workers");
    }

    /** {@code admin-max-workers}. */
    public int adminMaxWorkers() {
        return (int) settings.integer("admin-max-workers");
    }

    /** {@code admin-max-clients}. */
    public int adminMaxClients() {
        return (int) settings.integer("admin-max-clients");
    }

    /** {@code admin-max-queued-clients}. */
    public int adminMaxQueuedClients() {
        return (int) settings.integer("admin-max-queued-clients");
    }

    /** {@code admin-max-client-requests}. */
    public int adminMaxClientRequests() {
        return (int) settings.integer("admin-max-client-requests");
    }

    /** {@code audit-level}. */
    public int auditLevel() {
        return (int) settings.integer("audit-level");
    }

    /** {@code audit-logging}. */
    public boolean auditLogging() {
        return settings.bool("audit-logging");
    }

    /** {@code host-uuid}. */
    public String hostUuid() {
        return settings.string("host-uuid");
    }

    /** {@code host-uuid-source}. */
    public String hostUuidSource() {
        return settings.string("host-uuid-source");
    }

    /** {@code keepalive-interval}. */
    public int keepaliveInterval() {
        return (int) settings.integer("keepalive-interval");
    }

    /** {@code keepalive-count}. */
    public int keepaliveCount() {
        return (int) settings.integer("keepalive-count");
    }

    /** {@code admin-keepalive-interval}. */
    public int adminKeepaliveInterval() {
        return (int) settings.integer("admin-keepalive-interval");
    }

    /** {@code admin-keepalive-count}. */
    public int adminKeepaliveCount() {
        return (int) settings.integer("admin-keepalive-count");
    }

    /** {@code ovs-timeout}. */
    public int ovsTimeout() {
        return (int) settings.integer("ovs-timeout");
    }
}

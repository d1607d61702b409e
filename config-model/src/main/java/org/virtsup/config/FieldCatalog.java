package org.virtsup.config;

import static org.virtsup.config.ValueRules.UINT_MAX;

import java.util.ArrayList;
import java.util.List;

/**
 * The one list of every field virtsup knows: name, type, default,
 * documentation (from the specification), what libvirt makes of it and what
 * values it accepts. Reading, validation, rendering and {@code explain} are
 * all driven from here, in this order, which is the specification's.
 */
public final class FieldCatalog {
    private static final String UNIX_ONLY = " (polkit works only on the unix sockets)";

    private static final List<Field> LIBVIRT = libvirt();
    private static final List<Field> VIRTLOG = virtlog();
    private static final List<Field> SUPERVISOR = supervisor();

    private FieldCatalog() {}

    public static List<Field> fields(Section section) {
        return switch (section) {
            case LIBVIRT -> LIBVIRT;
            case VIRTLOG -> VIRTLOG;
            case SUPERVISOR -> SUPERVISOR;
        };
    }

    /** Every field of every form, libvirt's first, then virtlog's, then the supervisor's. */
    public static List<Field> all() {
        List<Field> all = new ArrayList<>(LIBVIRT);
        all.addAll(VIRTLOG);
        all.addAll(SUPERVISOR);
        return List.copyOf(all);
    }

    private static List<Field> libvirt() {
        Builder b = new Builder(Section.LIBVIRT);
        b.field("libvirt", FieldType.PACKAGE, "/usr",
                "Libvirt package: the installation prefix holding sbin/libvirtd and sbin/virtlogd, such as \"/usr\".")
                .notWritten("it says where the daemons are installed (PREFIX/sbin/libvirtd, PREFIX/sbin/virtlogd)")
                .rule(ValueRules.absolutePath());
        b.field("listen-tls?", FieldType.BOOLEAN, true,
                "Flag listening for secure TLS connections on the public TCP/IP port. must set listen for this to have any effect.\n\n"
                + "It is necessary to setup a CA and issue server certificates before using this capability.");
        b.field("listen-tcp?", FieldType.BOOLEAN, false,
                "Listen for unencrypted TCP connections on the public TCP/IP port. must set listen for this to have any effect.\n\n"
                + "Using the TCP socket requires SASL authentication by default. Only SASL mechanisms which support data encryption are allowed. This is DIGEST_MD5 and GSSAPI (Kerberos5)");
        b.field("tls-port", FieldType.STRING, "16514",
                "Port for accepting secure TLS connections This can be a port number, or service name").rule(ValueRules.port());
        b.field("tcp-port", FieldType.STRING, "16509",
                "Port for accepting insecure TCP connections This can be a port number, or service name").rule(ValueRules.port());
        b.field("listen-addr", FieldType.STRING, "0.0.0.0",
                "IP address or hostname used for client connections.").rule(ValueRules.nonEmpty("\"0.0.0.0\""));
        b.field("mdns-adv?", FieldType.BOOLEAN, false,
                "Flag toggling mDNS advertisement of the libvirt service.\n\n"
                + "Alternatively can disable for all services on a host by stopping the Avahi daemon.").ignoredByLibvirt();
        b.field("mdns-name", FieldType.STRING, new DefaultValue(host -> "Virtualization Host " + host, "\"Virtualization Host <hostname>\""),
                "Default mDNS advertisement name. This must be unique on the immediate broadcast network.").ignoredByLibvirt();
        b.field("unix-sock-group", FieldType.STRING, "root",
                "UNIX domain socket group ownership. This can be used to allow a 'trusted' set of users access to management capabilities without becoming root.")
                .rule(ValueRules.nonEmpty("\"libvirt\""));
        b.field("unix-sock-ro-perms", FieldType.STRING, "0777",
                "UNIX socket permissions for the R/O socket. This is used for monitoring VM status only.").rule(ValueRules.octalMode());
        b.field("unix-sock-rw-perms", FieldType.STRING, "0770",
                "UNIX socket permissions for the R/W socket. Default allows only root. If PolicyKit is enabled on the socket, the default will change to allow everyone (eg, 0777)")
                .rule(ValueRules.octalMode());
        b.field("unix-sock-admin-perms", FieldType.STRING, "0777",
                "UNIX socket permissions for the admin socket. Default allows only owner (root), do not change it unless you are sure to whom you are exposing the access to.")
                .rule(ValueRules.octalMode());
        b.field("unix-sock-dir", FieldType.STRING, "/var/run/libvirt",
                "The directory in which sockets will be found/created.").rule(ValueRules.absolutePath());
        b.field("auth-unix-ro", FieldType.STRING, "polkit",
                "Authentication scheme for UNIX read-only sockets. By default socket permissions allow anyone to connect")
                .rule(ValueRules.oneOf("", "none", "sasl", "polkit"));
        b.field("auth-unix-rw", FieldType.STRING, "polkit",
                "Authentication scheme for UNIX read-write sockets. By default socket permissions only allow root. If PolicyKit support was compiled into libvirt, the default will be to use 'polkit' auth.")
                .rule(ValueRules.oneOf("", "none", "sasl", "polkit"));
        b.field("auth-tcp", FieldType.STRING, "sasl",
                "Authentication scheme for TCP sockets. If you don't enable SASL, then all TCP traffic is cleartext. Don't do this outside of a dev/test scenario.")
                .rule(ValueRules.oneOf(UNIX_ONLY, "none", "sasl"));
        b.field("auth-tls", FieldType.STRING, "none",
                "Authentication scheme for TLS sockets. TLS sockets already have encryption provided by the TLS layer, and limited authentication is done by certificates.\n\n"
                + "It is possible to make use of any SASL authentication mechanism as well, by using 'sasl' for this option")
                .rule(ValueRules.oneOf(UNIX_ONLY, "none", "sasl"));
        b.field("access-drivers", FieldType.OPTIONAL_LIST, List.of(),
                "API access control scheme.\n\n"
                + "By default an authenticated user is allowed access to all APIs. Access drivers can place restrictions on this.")
                .rule(ValueRules.eachOneOf("none", "polkit"));
        b.field("key-file", FieldType.STRING, "",
                "Server key file path. If set to an empty string, then no private key is loaded.");
        b.field("cert-file", FieldType.STRING, "",
                "Server key file path. If set to an empty string, then no certificate is loaded.");
        b.field("ca-file", FieldType.STRING, "",
                "Server key file path. If set to an empty string, then no CA certificate is loaded.");
        b.field("crl-file", FieldType.STRING, "",
                "Certificate revocation list path. If set to an empty string, then no CRL is loaded.");
        b.field("tls-no-sanity-cert", FieldType.BOOLEAN, false,
                "Disable verification of our own server certificates.\n\n"
                + "When libvirtd starts it performs some sanity checks against its own certificates.")
                .key("tls_no_sanity_certificate");
        b.field("tls-no-verify-cert", FieldType.BOOLEAN, false,
                "Disable verification of client certificates.\n\n"
                + "Client certificate verification is the primary authentication mechanism. Any client which does not present a certificate signed by the CA will be rejected.")
                .key("tls_no_verify_certificate");
        b.field("tls-allowed-dn-list", FieldType.OPTIONAL_LIST, List.of(),
                "Whitelist of allowed x509 Distinguished Name.");
        b.field("sasl-allowed-usernames", FieldType.OPTIONAL_LIST, List.of(),
                "Whitelist of allowed SASL usernames. The format for username depends on the SASL authentication mechanism.")
                .key("sasl_allowed_username_list");
        b.field("tls-priority", FieldType.STRING, "NORMAL",
                "Override the compile time default TLS priority string. The default is usually \"NORMAL\" unless overridden at build time. Only set this is it is desired for libvirt to deviate from the global default settings.");
        b.field("max-clients", FieldType.INTEGER, 5000L,
                "Maximum number of concurrent client connections to allow over all sockets combined.").unsigned();
        b.field("max-queued-clients", FieldType.INTEGER, 1000L,
                "Maximum length of queue of connections waiting to be accepted by the daemon. Note, that some protocols supporting retransmission may obey this so that a later reattempt at connection succeeds.")
                .unsigned();
        b.field("max-anonymous-clients", FieldType.INTEGER, 20L,
                "Maximum length of queue of accepted but not yet authenticated clients. Set this to zero to turn this feature off").unsigned();
        b.field("min-workers", FieldType.INTEGER, 5L, "Number of workers to start up initially.").unsigned();
        b.field("max-workers", FieldType.INTEGER, 20L,
                "Maximum number of worker threads.\n\n"
                + "If the number of active clients exceeds min-workers, then more threads are spawned, up to max_workers limit. Typically you'd want max_workers to equal maximum number of clients allowed.")
                .rule(ValueRules.range(1, UINT_MAX));
        b.field("prio-workers", FieldType.INTEGER, 5L,
                "Number of priority workers. If all workers from above pool are stuck, some calls marked as high priority (notably domainDestroy) can be executed in this pool.")
                .unsigned();
        b.field("max-requests", FieldType.INTEGER, 20L, "Total global limit on concurrent RPC calls.").unsigned().ignoredByLibvirt();
        b.field("max-client-requests", FieldType.INTEGER, 5L,
                "Limit on concurrent requests from a single client connection. To avoid one client monopolizing the server this should be a small fraction of the global max_requests and max_workers parameter.")
                .unsigned();
        b.field("admin-min-workers", FieldType.INTEGER, 1L, "Same as min-workers but for the admin interface.").unsigned();
        b.field("admin-max-workers", FieldType.INTEGER, 5L, "Same as max-workers but for the admin interface.").unsigned();
        b.field("admin-max-clients", FieldType.INTEGER, 5L, "Same as max-clients but for the admin interface.").unsigned();
        b.field("admin-max-queued-clients", FieldType.INTEGER, 5L, "Same as max-queued-clients but for the admin interface.").unsigned();
        b.field("admin-max-client-requests", FieldType.INTEGER, 5L, "Same as max-client-requests but for the admin interface.").unsigned();
        logging(b);
        b.field("audit-level", FieldType.INTEGER, 1L, "Allows usage of the auditing subsystem to be altered")
                .rule(ValueRules.range(0, 2));
        b.field("audit-logging", FieldType.BOOLEAN, false, "Send audit messages via libvirt logging infrastructure.");
        b.field("host-uuid", FieldType.OPTIONAL_STRING, "", "Host UUID. UUID must not have all digits be the same.")
                .rule(ValueRules.hostUuid());
        b.field("host-uuid-source", FieldType.STRING, "smbios",
                "Source to read host UUID.\n\n"
                + "If dmidecode does not provide a valid UUID a temporary UUID will be generated.")
                .rule(ValueRules.oneOf("", "smbios", "machine-id"));
        b.field("keepalive-interval", FieldType.INTEGER, 5L,
                "A keepalive message is sent to a client after keepalive_interval seconds of inactivity to check if the client is still responding. If set to -1, libvirtd will never send keepalive requests; however clients can still send them and the daemon will send responses.")
                .rule(ValueRules.range(-1, Integer.MAX_VALUE));
        b.field("keepalive-count", FieldType.INTEGER, 5L,
                "Maximum number of keepalive messages that are allowed to be sent to the client without getting any response before the connection is considered broken.\n\n"
                + "In other words, the connection is automatically closed approximately after keepalive_interval * (keepalive_count + 1) seconds since the last message received from the client. When keepalive-count is set to 0, connections will be automatically closed after keepalive-interval seconds of inactivity without sending any keepalive messages.")
                .unsigned();
        b.field("admin-keepalive-interval", FieldType.INTEGER, 5L, "Same as above but for admin interface.")
                .rule(ValueRules.range(-1, Integer.MAX_VALUE));
        b.field("admin-keepalive-count", FieldType.INTEGER, 5L, "Same as above but for admin interface.").unsigned();
        b.field("ovs-timeout", FieldType.INTEGER, 5L,
                "Timeout for Open vSwitch calls.\n\n"
                + "The ovs-vsctl utility is used for the configuration and its timeout option is set by default to 5 seconds to avoid potential infinite waits blocking libvirt.")
                .unsigned();
        // virtsup extensions: keys libvirt reads that Guix's libvirt-configuration does not model.
        b.field("tcp-min-ssf", FieldType.INTEGER, 56L,
                "Minimum SASL security strength factor (SSF) of TCP connections; libvirt refuses values below 56"
                + " (single-DES), its default, which it plans to raise to 112. A virtsup extension: Guix has no such field.")
                .rule(ValueRules.range(56, UINT_MAX)).extension(LibvirtVersion.DEBIAN_12);
        return b.build();
    }

    private static List<Field> virtlog() {
        Builder b = new Builder(Section.VIRTLOG);
        logging(b);
        b.field("max-clients", FieldType.INTEGER, 1024L,
                "Maximum number of concurrent client connections to allow over all sockets combined.").unsigned();
        b.field("max-size", FieldType.INTEGER, 2097152L, "Maximum file size before rolling over.")
                .rule(ValueRules.range(0, Long.MAX_VALUE)).describeDefault("2097152 (2MB)");
        b.field("max-backups", FieldType.INTEGER, 3L, "Maximum number of backup files to keep.").unsigned();
        // virtsup extensions: keys virtlogd reads that Guix's virtlog-configuration does not model.
        b.field("admin-max-clients", FieldType.INTEGER, 5L,
                "Maximum number of concurrent client connections on virtlogd's administrative socket."
                + " A virtsup extension: Guix has no such field.").unsigned().extension(LibvirtVersion.DEBIAN_12);
        // Read by libvirt 11.3 (Debian 13), not by 9.0 (their augeas lenses); an older libvirt than 11.3 counts as not reading them.
        b.field("max-age-days", FieldType.INTEGER, 0L,
                "Days after their last modification at which virtlogd deletes log files under log-root; 0 keeps them forever."
                + " virtlogd cannot tell which files it wrote: every file under log-root that old is deleted."
                + " A virtsup extension: Guix has no such field.").unsigned().extension(LibvirtVersion.DEBIAN_13);
        b.field("log-root", FieldType.STRING, "/var/log/libvirt",
                "Directory under which max-age-days deletes old log files. A virtsup extension: Guix has no such field.")
                .rule(ValueRules.absolutePath()).extension(LibvirtVersion.DEBIAN_13);
        return b.build();
    }

    private static void logging(Builder b) {
        b.field("log-level", FieldType.INTEGER, 3L, "Logging level. 4 errors, 3 warnings, 2 information, 1 debug.")
                .rule(ValueRules.range(1, 4));
        b.field("log-filters", FieldType.STRING, "3:remote 4:event",
                "Logging filters.\n\n"
                + "A filter allows to select a different logging level for a given category of logs. The format for a filter is one of:\n"
                + "    x:name\n    x:+name\n"
                + "where name is a string which is matched against the category given in the VIR_LOG_INIT() at the top of each libvirt source file, "
                + "e.g., \"remote\", \"qemu\", or \"util.json\" (the name in the filter can be a substring of the full category name, in order to match "
                + "multiple similar categories), the optional \"+\" prefix tells libvirt to log stack trace for each message matching name, and x is the "
                + "minimal level where matching messages should be logged.\n\n"
                + "Multiple filters can be defined in a single filters statement, they just need to be separated by spaces.")
                .rule(ValueRules.logFilters());
        b.field("log-outputs", FieldType.STRING, "3:stderr",
                "Logging outputs.\n\n"
                + "An output is one of the places to save logging information. The format for an output can be:\n"
                + "    x:stderr          output goes to stderr\n"
                + "    x:syslog:name     use syslog for the output and use the given name as the ident\n"
                + "    x:file:file_path  output to a file, with the given filepath\n"
                + "    x:journald        output to journald logging system\n"
                + "In all case the x prefix is the minimal level, acting as a filter.\n\n"
                + "Multiple outputs can be defined, they just need to be separated by spaces.")
                .rule(ValueRules.logOutputs());
    }

    private static List<Field> supervisor() {
        Builder b = new Builder(Section.SUPERVISOR);
        String virtsup = "read by virtsup itself";
        b.field("control-socket", FieldType.STRING, "/run/virtsup/control.sock",
                "Path of the unix socket on which virtsup takes orders from the virtsup command (status, start, stop, ...).")
                .notWritten(virtsup).rule(ValueRules.absolutePath());
        b.field("control-group", FieldType.STRING, "root",
                "Group whose members may send mutating commands (start, stop, restart, reload) on the control socket; root always may.")
                .notWritten(virtsup).rule(ValueRules.nonEmpty("\"libvirt\""));
        b.field("state-directory", FieldType.STRING, "/run/virtsup",
                "Directory where virtsup writes the rendered libvirtd.conf and virtlogd.conf that the daemons are started with.")
                .notWritten(virtsup).rule(ValueRules.absolutePath());
        b.field("listen?", FieldType.BOOLEAN, false,
                "Start libvirtd with --listen, so that it opens the TCP/TLS sockets enabled by listen-tcp? and listen-tls?. Without it those two flags have no effect.")
                .notWritten("read by virtsup: adds --listen to libvirtd's command line");
        b.field("start-timeout", FieldType.INTEGER, 30L,
                "Seconds a daemon has to report that it is ready (READY=1 or its socket answering) before the start counts as failed.")
                .notWritten(virtsup).rule(ValueRules.range(1, Integer.MAX_VALUE));
        b.field("stop-timeout", FieldType.INTEGER, 20L,
                "Seconds a daemon has to exit after SIGTERM before it is sent SIGKILL.")
                .notWritten(virtsup).rule(ValueRules.range(1, Integer.MAX_VALUE));
        b.field("restart-delay-max", FieldType.INTEGER, 30L,
                "Seconds: the cap of the exponential delay between restarts of a daemon that keeps dying.")
                .notWritten(virtsup).rule(ValueRules.range(1, Integer.MAX_VALUE));
        b.field("restart-reset-after", FieldType.INTEGER, 60L,
                "Seconds a daemon must stay up for its restart delay to go back to the start.")
                .notWritten(virtsup).rule(ValueRules.range(1, Integer.MAX_VALUE));
        b.field("respawn-limit", FieldType.INTEGER, 0L,
                "Number of failed starts in a row after which a daemon is left FAILED; 0 means never give up.")
                .notWritten(virtsup).rule(ValueRules.range(0, Integer.MAX_VALUE));
        b.field("exit-on-failure?", FieldType.BOOLEAN, false,
                "When a daemon is FAILED, virtsup stops the other one and exits with a non-zero status (for containers, whose runtime then restarts them).")
                .notWritten(virtsup);
        b.field("metrics-address", FieldType.MAYBE_STRING, false,
                "HOST:PORT on which virtsup serves its Prometheus metrics over HTTP (GET /metrics); #f serves none.")
                .notWritten(virtsup).rule(ValueRules.hostPort());
        b.field("log-format", FieldType.STRING, "text",
                "Format of virtsup's log (its own lines and the daemons' output): \"text\", or \"json\" for one JSON object per line.")
                .notWritten(virtsup).rule(ValueRules.oneOf("", "text", "json"));
        return b.build();
    }

    /** Collects a form's fields in order; each entry can be refined right after it is declared. */
    private static final class Builder {
        private final Section section;
        private final List<Field> fields = new ArrayList<>();

        Builder(Section section) {
            this.section = section;
        }

        Builder field(String name, FieldType type, Object defaultValue, String documentation) {
            return field(name, type, DefaultValue.of(type, defaultValue), documentation);
        }

        Builder field(String name, FieldType type, DefaultValue defaultValue, String documentation) {
            Rendering rendering = new Rendering.Key(Field.guixKey(name));
            fields.add(new Field(section, name, type, defaultValue, documentation, rendering, ValueRule.ANY));
            return this;
        }

        private Field last() {
            return fields.get(fields.size() - 1);
        }

        private void replaceLast(Field field) {
            fields.set(fields.size() - 1, field);
        }

        Builder rule(ValueRule rule) {
            replaceLast(last().withRule(rule));
            return this;
        }

        Builder unsigned() {
            return rule(ValueRules.range(0, UINT_MAX));
        }

        Builder key(String key) {
            replaceLast(last().renderedAs(new Rendering.Key(key)));
            return this;
        }

        Builder ignoredByLibvirt() {
            replaceLast(last().renderedAs(new Rendering.IgnoredByLibvirt(Field.guixKey(last().name()))));
            return this;
        }

        /** A virtsup extension, under libvirt's own key, which libvirt reads from {@code readFrom} on. */
        Builder extension(LibvirtVersion readFrom) {
            replaceLast(last().renderedAs(new Rendering.Extension(Field.guixKey(last().name()), readFrom)));
            return this;
        }

        Builder notWritten(String reason) {
            replaceLast(last().renderedAs(new Rendering.NotWritten(reason)));
            return this;
        }

        Builder describeDefault(String description) {
            Field f = last();
            replaceLast(new Field(f.section(), f.name(), f.type(), new DefaultValue(f.defaultValue().forHost(), description),
                    f.documentation(), f.rendering(), f.rule()));
            return this;
        }

        List<Field> build() {
            return List.copyOf(fields);
        }
    }
}

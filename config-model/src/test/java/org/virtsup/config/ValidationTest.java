package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
    private static final String TLS_FILES = " (key-file \"/k\") (cert-file \"/c\") (ca-file \"/a\")";

    /** The diagnostics of a file declaring both services, libvirt's with {@code fields}. */
    private static List<String> libvirt(String fields) {
        return libvirt(fields, "");
    }

    private static List<String> libvirt(String fields, String supervisor) {
        String text = "(service virtlog-service-type)\n"
                + "(service libvirt-service-type (libvirt-configuration\n" + fields + "))\n"
                + (supervisor.isEmpty() ? "" : "(supervisor-configuration " + supervisor + ")\n");
        return ConfigurationLoader.load("v.scm", text, "h").diagnostics().stream()
                .map(d -> d.severity().word() + ": " + d.message()).toList();
    }

    private static List<String> virtlog(String fields) {
        String text = "(service libvirt-service-type)\n(service virtlog-service-type (virtlog-configuration\n" + fields + "))\n";
        return ConfigurationLoader.load("v.scm", text, "h").diagnostics().stream()
                .map(d -> d.severity().word() + ": " + d.message()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "(auth-unix-ro \"none\")", "(auth-unix-rw \"sasl\")", "(auth-unix-rw \"polkit\")", "(auth-tcp \"none\")", "(auth-tls \"sasl\")",
        "(access-drivers '(\"none\" \"polkit\"))", "(host-uuid-source \"machine-id\")", "(host-uuid \"8E5E5B9A3C3B4E7C9B0D6A6F0F1B2C3D\")",
        "(audit-level 0)", "(audit-level 2)", "(log-level 1)", "(log-level 4)", "(unix-sock-ro-perms \"0\")", "(unix-sock-rw-perms \"660\")",
        "(tls-port \"1\")", "(tcp-port \"65535\")", "(tcp-port \"libvirt-tcp\")", "(max-workers 1) (min-workers 0)", "(keepalive-interval -1)",
        "(admin-keepalive-interval -1)", "(keepalive-count 0)", "(log-filters \"1:qemu  4:+util.json 3:remote\")", "(log-filters \"\")",
        "(log-outputs \"1:stderr 2:journald 3:syslog:libvirtd 4:file:/var/log/l:x.log\")",
        "(key-file \"/k\") (cert-file \"/c\") (ca-file \"/a\")", "(min-workers 20) (max-workers 20)", "(libvirt \"/opt/lv/\")"
    })
    void valuesLibvirtAccepts(String fields) {
        assertEquals(List.of(), libvirt(fields));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "(auth-unix-ro \"kerberos\")|error: field 'auth-unix-ro': \"kerberos\" is not allowed; allowed: \"none\", \"sasl\", \"polkit\"",
        "(auth-tls \"polkit\")|error: field 'auth-tls': \"polkit\" is not allowed; allowed: \"none\", \"sasl\" (polkit works only on the unix sockets)",
        "(access-drivers '(\"selinux\"))|error: field 'access-drivers': \"selinux\" is not allowed; allowed: \"none\", \"polkit\"",
        "(host-uuid-source \"dmi\")|error: field 'host-uuid-source': \"dmi\" is not allowed; allowed: \"smbios\", \"machine-id\"",
        "(host-uuid \"not-a-uuid\")|error: field 'host-uuid': \"not-a-uuid\" is not a UUID; allowed: \"\" or 32 hex digits such as \"8e5e5b9a-3c3b-4e7c-9b0d-6a6f0f1b2c3d\"",
        "(host-uuid \"ffffffff-ffff-ffff-ffff-ffffffffffff\")|error: field 'host-uuid': \"ffffffff-ffff-ffff-ffff-ffffffffffff\" is refused by libvirt: the digits of a host UUID must not all be the same",
        "(audit-level 3)|error: field 'audit-level': 3 is out of range; allowed: 0 to 2",
        "(log-level 0)|error: field 'log-level': 0 is out of range; allowed: 1 to 4",
        "(log-level 5)|error: field 'log-level': 5 is out of range; allowed: 1 to 4",
        "(unix-sock-ro-perms \"rw-rw-rw-\")|error: field 'unix-sock-ro-perms': \"rw-rw-rw-\" is not an octal file mode; allowed: octal digits such as \"0770\"",
        "(unix-sock-admin-perms \"0x1ff\")|error: field 'unix-sock-admin-perms': \"0x1ff\" is not an octal file mode; allowed: octal digits such as \"0770\"",
        "(unix-sock-admin-perms \"\")|error: field 'unix-sock-admin-perms': \"\" is not an octal file mode; allowed: octal digits such as \"0770\"",
        "(tls-port \"0\")|error: field 'tls-port': \"0\" is not a port; allowed: a number from 1 to 65535 or a service name such as \"libvirt-tls\"",
        "(tcp-port \"65536\")|error: field 'tcp-port': \"65536\" is not a port; allowed: a number from 1 to 65535 or a service name such as \"libvirt-tls\"",
        "(tcp-port \"16 509\")|error: field 'tcp-port': \"16 509\" is not a port; allowed: a number from 1 to 65535 or a service name such as \"libvirt-tls\"",
        "(max-workers 0)|error: field 'max-workers': 0 is out of range; allowed: 1 or more",
        "(max-clients 4294967296)|error: field 'max-clients': 4294967296 is out of range; allowed: 0 or more up to 4294967295",
        "(min-workers 30)|error: field 'min-workers': 30 is above max-workers (20); allowed: 0 to 20",
        "(log-filters \"3:remote 4\")|error: field 'log-filters': filter \"4\" is malformed; allowed: space-separated N:name or N:+name, N from 1 (debug) to 4 (error)",
        "(log-filters \"5:remote\")|error: field 'log-filters': filter \"5:remote\" has level \"5\"; allowed levels: 1 (debug) to 4 (error)",
        "(log-filters \"3:+\")|error: field 'log-filters': filter \"3:+\" has no name; allowed: N:name or N:+name, e.g. \"3:remote\"",
        "(log-filters \"3:a:b\")|error: field 'log-filters': filter \"3:a:b\" is malformed; allowed: space-separated N:name or N:+name, N from 1 (debug) to 4 (error)",
        "(log-outputs \"3:stder\")|error: field 'log-outputs': output \"3:stder\" has destination \"stder\"; allowed: \"stderr\", \"syslog\", \"file\", \"journald\"; did you mean 'stderr'?",
        "(log-outputs \"3:syslog\")|error: field 'log-outputs': output \"3:syslog\" is malformed; allowed: space-separated N:stderr, N:journald, N:syslog:IDENT or N:file:ABSOLUTE_PATH, N from 1 (debug) to 4 (error)",
        "(log-outputs \"3:syslog:\")|error: field 'log-outputs': output \"3:syslog:\" has no syslog ident; write N:syslog:IDENT, e.g. \"3:syslog:libvirtd\"",
        "(log-outputs \"3:stderr:x\")|error: field 'log-outputs': output \"3:stderr:x\" is malformed; allowed: space-separated N:stderr, N:journald, N:syslog:IDENT or N:file:ABSOLUTE_PATH, N from 1 (debug) to 4 (error)",
        "(log-outputs \"0:stderr\")|error: field 'log-outputs': output \"0:stderr\" has level \"0\"; allowed levels: 1 (debug) to 4 (error)",
        "(log-outputs \"stderr\")|error: field 'log-outputs': output \"stderr\" is malformed; allowed: space-separated N:stderr, N:journald, N:syslog:IDENT or N:file:ABSOLUTE_PATH, N from 1 (debug) to 4 (error)",
        "(key-file \"/k\")|error: fields key-file, cert-file and ca-file go together: key-file is set but cert-file and ca-file are empty; set all three or none",
        "(cert-file \"/c\") (ca-file \"/a\")|error: fields key-file, cert-file and ca-file go together: cert-file and ca-file are set but key-file is empty; set all three or none",
        "(libvirt \"usr\")|error: field 'libvirt': \"usr\" is not an absolute path; allowed: a path starting with '/'",
        "(unix-sock-group \"\")|error: field 'unix-sock-group': \"\" is not allowed; allowed: a non-empty string such as \"libvirt\"",
    })
    void valuesLibvirtRefuses(String fields, String expected) {
        assertEquals(List.of(expected), libvirt(fields));
    }

    @Test
    void virtlogValues() {
        assertEquals(List.of(), virtlog("(log-level 4) (max-size 0) (max-backups 0) (log-outputs \"1:journald\")"));
        assertEquals(List.of("error: field 'max-backups': -1 is out of range; allowed: 0 or more"), virtlog("(max-backups -1)"));
        assertEquals(List.of("error: field 'log-filters': filter \"x\" is malformed; allowed: space-separated N:name or N:+name,"
                + " N from 1 (debug) to 4 (error)"), virtlog("(log-filters \"x\")"));
    }

    @Test
    void supervisorValues() {
        assertEquals(List.of("error: field 'control-socket': \"ctl.sock\" is not an absolute path; allowed: a path starting with '/'",
                        "error: field 'stop-timeout': 0 is out of range; allowed: 1 or more",
                        "error: field 'respawn-limit': -1 is out of range; allowed: 0 or more"),
                libvirt("", "(control-socket \"ctl.sock\") (stop-timeout 0) (respawn-limit -1)"));
    }

    @Test
    void metricsAddressIsHostColonPort() {
        String allowed = "; allowed: \"HOST:PORT\" such as \"127.0.0.1:9474\" or \"[::1]:9474\", or #f for none";
        for (String good : List.of("127.0.0.1:9474", "localhost:1", "[::1]:65535", "0.0.0.0:9474")) {
            assertEquals(List.of(), libvirt("", "(metrics-address \"" + good + "\")"), good);
        }
        assertEquals(List.of(), libvirt("", "(metrics-address #f)"));
        assertEquals(List.of("error: field 'metrics-address': \"9474\" is not an address" + allowed),
                libvirt("", "(metrics-address \"9474\")"));
        assertEquals(List.of("error: field 'metrics-address': \"::1:9474\" is not an address" + allowed),
                libvirt("", "(metrics-address \"::1:9474\")"));
        for (String badPort : List.of("localhost:0", "localhost:65536", "localhost:http", "localhost:", "localhost:99999999999")) {
            assertEquals(List.of("error: field 'metrics-address': \"" + badPort + "\" has no port from 1 to 65535" + allowed),
                    libvirt("", "(metrics-address \"" + badPort + "\")"), badPort);
        }
    }

    @Test
    void logFormatIsTextOrJson() {
        assertEquals(List.of(), libvirt("", "(log-format \"json\")"));
        assertEquals(List.of("error: field 'log-format': \"xml\" is not allowed; allowed: \"text\", \"json\""),
                libvirt("", "(log-format \"xml\")"));
    }

    @Test
    void settingsLibvirtNoLongerReadsWarnOnlyAwayFromTheirDefault() {
        assertEquals(List.of(), libvirt("(mdns-adv? #f) (mdns-name \"Virtualization Host h\") (max-requests 20)"));
        assertEquals(List.of(
                "warning: field 'mdns-adv?' is set to #t but libvirt no longer reads it (9.0 and later do not): it has no effect",
                "warning: field 'mdns-name' is set to \"lab\" but libvirt no longer reads it (9.0 and later do not): it has no effect",
                "warning: field 'max-requests' is set to 1 but libvirt no longer reads it (9.0 and later do not): it has no effect"),
                libvirt("(mdns-adv? #t) (mdns-name \"lab\") (max-requests 1)"));
    }

    @Test
    void listenFlagsWithoutListenWarn() {
        String hint = " but has no effect: libvirtd opens TCP/TLS sockets only with --listen; set (listen? #t) in (supervisor-configuration ...)";
        assertEquals(List.of("warning: field 'listen-tls?' is #t" + hint, "warning: field 'listen-tcp?' is #t" + hint),
                libvirt("(listen-tls? #t) (listen-tcp? #t)"));
        assertEquals(List.of(), libvirt("(listen-tls? #t) (listen-tcp? #t)" + TLS_FILES, "(listen? #t)"));
        // listen-tls? is #t by default: the embedded default must stay quiet.
        assertEquals(List.of(), libvirt(""));
    }

    @Test
    void unauthenticatedTcpWarnsOnlyWhenTcpListens() {
        assertEquals(List.of("warning: field 'auth-tcp': \"none\" with TCP listening on lets anyone who reaches \"0.0.0.0:16509\""
                + " manage this host, unencrypted; use \"sasl\""), libvirt("(listen-tls? #f) (listen-tcp? #t) (auth-tcp \"none\")", "(listen? #t)"));
        assertEquals(List.of(), libvirt("(listen-tls? #f) (listen-tcp? #f) (auth-tcp \"none\")", "(listen? #t)"));
        // found by ReaderFuzzTest: the address is the user's text and is shown escaped, never with a raw tab
        assertEquals(List.of("warning: field 'auth-tcp': \"none\" with TCP listening on lets anyone who reaches \"\\t:16509\""
                + " manage this host, unencrypted; use \"sasl\""),
                libvirt("(listen-tls? #f) (listen-tcp? #t) (auth-tcp \"none\") (listen-addr \"\\t\")", "(listen? #t)"));
    }

    @Test
    void unverifiedTlsClientsWithoutAuthenticationWarn() {
        assertEquals(List.of("warning: field 'tls-no-verify-cert': #t with auth-tls \"none\" lets any TLS client manage this host"
                + " without authentication; verify client certificates or use auth-tls \"sasl\""),
                libvirt("(tls-no-verify-cert #t)" + TLS_FILES, "(listen? #t)"));
        assertEquals(List.of(), libvirt("(tls-no-verify-cert #t) (auth-tls \"sasl\")" + TLS_FILES, "(listen? #t)"));
    }

    @Test
    void tlsListeningWithoutCertificatesWarns() {
        assertEquals(List.of("warning: field 'listen-tls?': TLS listening is on but key-file, cert-file and ca-file are empty,"
                + " so libvirtd loads no certificate and every TLS connection fails; set the three files"
                + " (e.g. /etc/pki/libvirt/private/serverkey.pem, /etc/pki/libvirt/servercert.pem, /etc/pki/CA/cacert.pem)"
                + " or turn listen-tls? off"), libvirt("", "(listen? #t)"));
        assertEquals(List.of(), libvirt("(listen-tls? #f)", "(listen? #t)"));
        assertEquals(List.of(), libvirt(TLS_FILES, "(listen? #t)"));
    }

    @Test
    void worldWritableReadWriteSocketWithoutAuthenticationWarns() {
        assertEquals(List.of("warning: field 'unix-sock-rw-perms': \"0777\" lets every local user write to the read-write socket"
                + " and auth-unix-rw is \"none\": any user can manage this host (effectively root); remove the write bit for others"
                + " or use auth-unix-rw \"polkit\""), libvirt("(unix-sock-rw-perms \"0777\") (auth-unix-rw \"none\")"));
        assertEquals(List.of(), libvirt("(unix-sock-rw-perms \"0777\") (auth-unix-rw \"polkit\")"));
        assertEquals(List.of(), libvirt("(unix-sock-rw-perms \"0775\") (auth-unix-rw \"none\")"));
    }

    @Test
    void missingServicesWarn() {
        ConfigurationLoader.Loaded empty = ConfigurationLoader.load("e.scm", "; nothing\n", "h");
        assertTrue(empty.configuration().isPresent());
        assertEquals(List.of(
                "e.scm:1:1: warning: no libvirt-service-type is declared: virtsup will not run libvirtd; add (service libvirt-service-type)",
                "e.scm:1:1: warning: no virtlog-service-type is declared: libvirtd's QEMU driver needs virtlogd to start guests;"
                        + " add (service virtlog-service-type)"),
                empty.diagnostics().stream().map(Diagnostic::format).toList());
    }

    @Test
    void maxWorkersBelowMaxClientsIsFine() {
        assertEquals(List.of(), libvirt("(max-workers 2) (min-workers 1) (max-clients 5000)"));
    }
}

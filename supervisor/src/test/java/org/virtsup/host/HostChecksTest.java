package org.virtsup.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.config.Diagnostic;

class HostChecksTest {

    private static Configuration config(String text) {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("h.scm", text, "h");
        return loaded.configuration().orElseThrow(() -> new AssertionError(loaded.diagnostics()));
    }

    private static List<String> check(FakeHost host, String text) {
        return new HostChecks(host).check(config(text)).stream().map(Diagnostic::format).toList();
    }

    @Test
    void embeddedDefaultOnAHostWithLibvirt() {
        Configuration c = ConfigurationLoader.embeddedDefault("h").configuration().orElseThrow();
        assertEquals(List.of(), new HostChecks(FakeHost.withLibvirtInstalled()).check(c));
    }

    @Test
    void saysWhichInstalledLibvirtIgnoresAnExtensionSetForANewerOne() {
        String text = "(service libvirt-service-type)\n(service virtlog-service-type (virtlog-configuration (max-age-days 7)))";
        assertEquals(List.of("h.scm:2:68: warning: field 'max-age-days': libvirt 9.0.0 (the virtlogd virtsup runs) does not"
                        + " read max_age_days; libvirt 11.3 and later do. It is written as a comment and has no effect"),
                check(FakeHost.withLibvirtInstalled().libvirt(LibvirtVersion.DEBIAN_12), text));
        assertEquals(List.of(), check(FakeHost.withLibvirtInstalled().libvirt(LibvirtVersion.DEBIAN_13), text));
        assertEquals(List.of(), check(FakeHost.withLibvirtInstalled(), text), "a libvirtd that cannot say: no guess");
    }

    @Test
    void missingGroupsArePositionedAtTheirFields() {
        assertEquals(List.of(
                "h.scm:2:71: error: field 'unix-sock-group': group \"libvirt\" does not exist on this host;"
                        + " create it (groupadd libvirt) or name an existing group",
                "h.scm:3:42: error: field 'control-group': group \"virtsup\" does not exist on this host;"
                        + " create it (groupadd virtsup) or name an existing group"),
                check(FakeHost.withLibvirtInstalled(), "(service virtlog-service-type)\n"
                        + "(service libvirt-service-type (libvirt-configuration (unix-sock-group \"libvirt\")))\n"
                        + "(supervisor-configuration (control-group \"virtsup\"))"));
    }

    @Test
    void daemonsMustBeExecutableUnderThePrefix() {
        FakeHost host = new FakeHost().group("root").executable("/opt/lv/sbin/libvirtd").unreadable("/opt/lv/sbin/virtlogd");
        assertEquals(List.of("h.scm:2:63: error: field 'libvirt': virtlogd is not an executable file at /opt/lv/sbin/virtlogd;"
                        + " install libvirt (Debian: apt-get install libvirt-daemon) or set the libvirt prefix to where it is installed"),
                check(host, "(service virtlog-service-type)\n(service libvirt-service-type (libvirt-configuration (libvirt \"/opt/lv\")))"));
        assertEquals(List.of("h.scm:1:1: error: field 'libvirt': virtlogd is not an executable file at /usr/sbin/virtlogd (it does not exist);"
                        + " install libvirt (Debian: apt-get install libvirt-daemon) or set the libvirt prefix to where it is installed"),
                check(new FakeHost().group("root"), "(service virtlog-service-type)"));
    }

    @Test
    void tlsFilesAreCheckedOnlyWhenTlsListens() {
        String files = "(key-file \"/k.pem\") (cert-file \"/c.pem\") (ca-file \"/ca.pem\") (crl-file \"/crl.pem\")";
        String text = "(service virtlog-service-type)\n(service libvirt-service-type (libvirt-configuration " + files + "))\n";
        FakeHost host = FakeHost.withLibvirtInstalled().readable("/k.pem").unreadable("/c.pem");
        assertEquals(List.of(), check(host, text));
        List<String> problems = check(host, text + "(supervisor-configuration (listen? #t))");
        assertEquals(List.of(
                "h.scm:2:85: error: field 'cert-file': \"/c.pem\" is not a readable file; libvirtd needs it to listen for TLS connections",
                "h.scm:2:104: error: field 'ca-file': \"/ca.pem\" does not exist; libvirtd needs it to listen for TLS connections",
                "h.scm:2:125: error: field 'crl-file': \"/crl.pem\" does not exist; libvirtd needs it to listen for TLS connections"),
                problems);
        assertEquals(List.of(), check(host, text.replace("(service libvirt-service-type (libvirt-configuration ",
                "(service libvirt-service-type (libvirt-configuration (listen-tls? #f) ") + "(supervisor-configuration (listen? #t))"));
    }

    @Test
    void emptyTlsPathsAreNotLookedFor() {
        String text = "(service virtlog-service-type)\n(service libvirt-service-type)\n(supervisor-configuration (listen? #t))";
        assertEquals(List.of(), check(FakeHost.withLibvirtInstalled(), text));
    }

    @Test
    void portNamesMustResolveWhenListening() {
        String service = "(service virtlog-service-type)\n(service libvirt-service-type (libvirt-configuration"
                + " (listen-tcp? #t) (tcp-port \"libvirt-tcp\") (tls-port \"16514\") (key-file \"/k\") (cert-file \"/c\") (ca-file \"/a\")))\n";
        FakeHost host = FakeHost.withLibvirtInstalled().readable("/k").readable("/c").readable("/a");
        assertEquals(List.of(), check(host, service));
        assertEquals(List.of("h.scm:2:81: error: field 'tcp-port': service name \"libvirt-tcp\" is not a TCP service in /etc/services,"
                + " so libvirtd cannot listen on it; write a port number such as \"16509\""),
                check(host, service + "(supervisor-configuration (listen? #t))"));
        assertEquals(List.of(), check(host.tcpService("libvirt-tcp"), service + "(supervisor-configuration (listen? #t))"));
    }

    @Test
    void localHostAnswersForThisMachine() {
        LocalHost local = new LocalHost();
        assertTrue(local.groupExists("root"));
        assertFalse(local.groupExists("no-such-group-virtsup"));
        assertTrue(local.isExecutableFile("/bin/sh") || local.isExecutableFile("/usr/bin/sh"));
        assertFalse(local.isExecutableFile("/etc/hostname-not-there"));
        assertFalse(local.exists("/no/such/path"));
        assertFalse(local.tcpServiceExists("no-such-service-virtsup"));
    }
}

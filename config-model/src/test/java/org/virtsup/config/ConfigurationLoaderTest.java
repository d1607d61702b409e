package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationLoaderTest {

    private static ConfigurationLoader.Loaded load(String text) {
        return ConfigurationLoader.load("c.scm", text, "h");
    }

    private static List<String> lines(String text) {
        return load(text).diagnostics().stream().map(Diagnostic::format).toList();
    }

    private static String onlyError(String text) {
        ConfigurationLoader.Loaded loaded = load(text);
        assertTrue(loaded.configuration().isEmpty(), "expected an error");
        assertEquals(1, loaded.errors().size(), () -> loaded.diagnostics().toString());
        return loaded.errors().get(0).format();
    }

    private static String value(String field, String valueText) {
        return onlyError("(service virtlog-service-type)\n(service libvirt-service-type (libvirt-configuration (" + field + " " + valueText + ")))");
    }

    @Test
    void bothSpecificationExamplesInOneFile() {
        ConfigurationLoader.Loaded loaded = load(Golden.text("example-libvirt.scm") + Golden.text("example-virtlog.scm"));
        assertEquals(List.of(), loaded.diagnostics());
        Configuration c = loaded.configuration().orElseThrow();
        assertEquals("libvirt", c.libvirt().orElseThrow().unixSockGroup());
        assertEquals("16555", c.libvirt().orElseThrow().tlsPort());
        assertEquals(1000, c.virtlog().orElseThrow().maxClients());
        assertEquals("/usr/sbin/libvirtd", c.libvirtdPath());
    }

    @Test
    void serviceWithoutConfigurationTakesItsDefaults() {
        Configuration c = load("(service virtlog-service-type)\n(service libvirt-service-type)").configuration().orElseThrow();
        assertEquals(VirtlogConfiguration.defaults("h"), c.virtlog().orElseThrow());
        assertEquals(LibvirtConfiguration.defaults("h"), c.libvirt().orElseThrow());
        assertEquals("Virtualization Host h", c.libvirt().orElseThrow().mdnsName());
        assertEquals(SupervisorConfiguration.defaults("h"), c.supervisor());
    }

    @Test
    void supervisorDefaults() {
        SupervisorConfiguration s = SupervisorConfiguration.defaults("h");
        assertEquals("/run/virtsup/control.sock", s.controlSocket());
        assertEquals("root", s.controlGroup());
        assertEquals("/run/virtsup", s.stateDirectory());
        assertFalse(s.listen());
        assertEquals(java.time.Duration.ofSeconds(30), s.startTimeout());
        assertEquals(java.time.Duration.ofSeconds(20), s.stopTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), s.restartDelayMax());
        assertEquals(java.time.Duration.ofSeconds(60), s.restartResetAfter());
        assertEquals(0, s.respawnLimit());
        assertFalse(s.exitOnFailure());
        assertEquals(java.util.Optional.empty(), s.metricsAddress());
        assertEquals("text", s.logFormat());
    }

    @Test
    void metricsAddressIsAStringOrFalse() {
        String head = "(service virtlog-service-type)(service libvirt-service-type)(supervisor-configuration ";
        assertEquals(java.util.Optional.of("127.0.0.1:9474"), load(head + "(metrics-address \"127.0.0.1:9474\"))")
                .configuration().orElseThrow().supervisor().metricsAddress());
        assertEquals(java.util.Optional.empty(), load(head + "(metrics-address #f))")
                .configuration().orElseThrow().supervisor().metricsAddress());
        assertEquals(List.of("c.scm:1:104: error: field 'metrics-address' expects a string in double quotes, or #f for none, found boolean #t"),
                lines(head + "(metrics-address #t))"));
    }

    @Test
    void listsInEveryAcceptedSpelling() {
        for (String list : List.of("'(\"polkit\")", "(list \"polkit\")", "(quote (\"polkit\"))")) {
            Configuration c = load("(service virtlog-service-type)(service libvirt-service-type (libvirt-configuration (access-drivers "
                    + list + ")))").configuration().orElseThrow();
            assertEquals(List.of("polkit"), c.libvirt().orElseThrow().accessDrivers());
        }
        for (String empty : List.of("'()", "(list)")) {
            Configuration c = load("(service virtlog-service-type)(service libvirt-service-type (libvirt-configuration (access-drivers "
                    + empty + ")))").configuration().orElseThrow();
            assertEquals(List.of(), c.libvirt().orElseThrow().accessDrivers());
        }
    }

    @Test
    void codeIsRefusedNamingWhatWasFound() {
        assertEquals("c.scm:2:71: error: field 'unix-sock-group' expects a string in double quotes, found (string-append ...)"
                + " (values are data: nothing is evaluated)", value("unix-sock-group", "(string-append \"lib\" \"virt\")"));
        assertEquals("c.scm:2:67: error: field 'listen-tls?' expects #t or #f, found (if ...) (values are data: nothing is evaluated)",
                value("listen-tls?", "(if #t #t #f)"));
        assertEquals("c.scm:2:70: error: field 'access-drivers' expects a list of strings: '() or '(\"a\" \"b\") or (list \"a\" \"b\"),"
                + " found quasiquote `(...) (values are data: nothing is evaluated)", value("access-drivers", "`(\"polkit\")"));
        assertEquals("c.scm:2:71: error: field 'unix-sock-group' expects a string in double quotes, found symbol 'libvirt'"
                + " (values are data: nothing is evaluated)", value("unix-sock-group", "libvirt"));
    }

    @Test
    void topLevelCodeIsRefused() {
        assertEquals("c.scm:1:2: error: (define ...) is not allowed at the top level; " + FormReader.TOP_LEVEL_ALLOWED,
                onlyError("(define x \"libvirt\")"));
        assertEquals("c.scm:1:1: error: found symbol '%base-services' at the top level; " + FormReader.TOP_LEVEL_ALLOWED,
                onlyError("%base-services"));
        assertEquals("c.scm:1:2: error: (operating-system ...) is not allowed at the top level; " + FormReader.TOP_LEVEL_ALLOWED,
                onlyError("(operating-system (services %base-services))"));
        assertEquals("c.scm:1:2: error: (servce ...) is not allowed at the top level; " + FormReader.TOP_LEVEL_ALLOWED
                + "; did you mean 'service'?", onlyError("(servce libvirt-service-type)"));
    }

    @Test
    void typeMismatches() {
        assertEquals("c.scm:2:64: error: field 'tls-port' expects a string, found integer 16555; write \"16555\"",
                value("tls-port", "16555"));
        assertEquals("c.scm:2:67: error: field 'listen-tls?' expects #t or #f, found string \"yes\"; write #t", value("listen-tls?", "\"yes\""));
        assertEquals("c.scm:2:67: error: field 'listen-tls?' expects #t or #f, found integer 0; write #f", value("listen-tls?", "0"));
        assertEquals("c.scm:2:67: error: field 'listen-tls?' expects #t or #f, found symbol 'true'; write #t", value("listen-tls?", "true"));
        assertEquals("c.scm:2:67: error: field 'listen-tls?' expects #t or #f, found string \"maybe\"", value("listen-tls?", "\"maybe\""));
        assertEquals("c.scm:2:70: error: field 'access-drivers' expects a list of strings: '() or '(\"a\" \"b\") or (list \"a\" \"b\"),"
                + " found string \"polkit\"; write '(\"polkit\")", value("access-drivers", "\"polkit\""));
        assertEquals("c.scm:2:67: error: field 'max-clients' expects an integer, found string \"10\"; write 10 without quotes",
                value("max-clients", "\"10\""));
        assertEquals("c.scm:2:67: error: field 'max-clients' expects an integer, found number 1.5; only integers are allowed",
                value("max-clients", "1.5"));
        assertEquals("c.scm:2:70: error: field 'access-drivers' expects a list of strings: '() or '(\"a\" \"b\") or (list \"a\" \"b\"),"
                + " found (); write '() for the empty list", value("access-drivers", "()"));
        assertEquals("c.scm:2:72: error: field 'access-drivers' is a list of strings, found symbol 'polkit' in it;"
                + " write each element in double quotes", value("access-drivers", "'(polkit)"));
        assertEquals("c.scm:2:63: error: field 'libvirt' expects an installation prefix such as \"/usr\", found symbol 'libvirt';"
                + " a Guix package cannot be used here (values are data: nothing is evaluated)", value("libvirt", "libvirt"));
    }

    @Test
    void negativeCountIsRefused() {
        assertEquals("c.scm:2:67: error: field 'max-clients': -5 is out of range; allowed: 0 or more", value("max-clients", "-5"));
        assertEquals("c.scm:2:74: error: field 'keepalive-interval': -2 is out of range; allowed: -1 or more",
                value("keepalive-interval", "-2"));
    }

    @Test
    void unknownNamesGetTheClosestValidOne() {
        assertEquals("c.scm:2:55: error: libvirt-configuration has no field 'unix-sock-grup'; did you mean 'unix-sock-group'?",
                value("unix-sock-grup", "\"x\""));
        assertEquals("c.scm:2:55: error: libvirt-configuration has no field 'frobnicate'; run 'virtsup explain' to list the fields",
                value("frobnicate", "1"));
        assertEquals("c.scm:1:10: error: unknown service type 'libvirtd-service-type'; virtsup supervises libvirt-service-type"
                + " and virtlog-service-type; did you mean 'libvirt-service-type'?",
                onlyError("(service libvirtd-service-type)(service virtlog-service-type)"));
        assertEquals("c.scm:1:10: error: unknown service type 'nginx-service-type'; virtsup supervises libvirt-service-type"
                + " and virtlog-service-type", onlyError("(service nginx-service-type)"));
    }

    @Test
    void wrongConfigurationFormForTheService() {
        assertEquals("c.scm:1:32: error: virtlog-service-type takes a (virtlog-configuration ...), found (libvirt-configuration ...)",
                onlyError("(service virtlog-service-type (libvirt-configuration))"));
    }

    @Test
    void duplicateFieldIsReportedAtTheSecond() {
        assertEquals(List.of("c.scm:3:5: error: field 'max-clients' is given twice in virtlog-configuration (first at 2:5); keep one"),
                lines("(service virtlog-service-type (virtlog-configuration\n   (max-clients 1)\n   (max-clients 2)))\n"
                        + "(service libvirt-service-type)"));
    }

    @Test
    void duplicateServiceIsAnError() {
        assertEquals(List.of("c.scm:3:10: error: service virtlog-service-type is declared twice (first at 1:10); declare it once"),
                lines("(service virtlog-service-type)\n(service libvirt-service-type)\n(service virtlog-service-type)"));
    }

    @Test
    void stringsLibvirtCannotHoldAreRefused() {
        assertEquals("c.scm:2:67: error: field 'listen-addr': \"a\\\"b\" cannot be written in libvirt's configuration syntax,"
                + " which has no escapes; remove the double quotes and line breaks", value("listen-addr", "\"a\\\"b\""));
        assertTrue(value("tls-allowed-dn-list", "'(\"CN=a\\nb\")").contains("cannot be written in libvirt's configuration syntax"));
        assertTrue(value("mdns-name", "\"a\nb\"").contains("cannot be written in libvirt's configuration syntax"));
        assertTrue(value("tls-priority", "\"a\\x0;b\"").endsWith("holds a NUL character, which ends a string for libvirt; remove it"));
        // found by RendererPropertyTest: libvirtd.conf with sasl_allowed_username_list = ["[ayßbH6q\/ySZAL1"] failed the lens
        assertEquals("c.scm:2:78: error: field 'sasl-allowed-usernames': \"[ayßbH6q\\\\/ySZAL1\" holds a backslash, which libvirt's"
                + " own augeas lens refuses in a string (tools that edit the file with it would fail on it); remove the backslash",
                value("sasl-allowed-usernames", "'(\"[ayßbH6q\\\\/ySZAL1\")"));
    }

    @Test
    void fieldTakesExactlyOneValue() {
        assertEquals("c.scm:2:67: error: field 'log-level' takes exactly one value, found 2; allowed: an integer",
                value("log-level", "3 4"));
    }

    @Test
    void readErrorIsTheOnlyDiagnostic() {
        ConfigurationLoader.Loaded loaded = load("(service libvirt-service-type\n (libvirt-configuration (tls-port \"1)))\n");
        assertEquals(List.of("c.scm:2:35: error: unterminated string: the '\"' opened here is never closed"),
                loaded.diagnostics().stream().map(Diagnostic::format).toList());
    }

    @Test
    void severalMistakesAreAllReportedInOrderWithPositionsAndSuggestions() {
        String text = String.join("\n",
                "(service libvirt-service-type",                        // 1
                " (libvirt-configuration",                              // 2
                "  (unix-sock-grup \"libvirt\")",                       // 3
                "  (tls-port 16555)",                                   // 4
                "  (auth-tcp \"polkit\")",                              // 5
                "  (listen-tls? \"yes\")",                              // 6
                "  (unix-sock-rw-perms \"0798\")",                      // 7
                "  (log-outputs \"3:file:relative.log 5:stderr\")",     // 8
                "  (max-workers 0)",                                    // 9
                "  (host-uuid \"00000000-0000-0000-0000-000000000000\")", // 10
                "  (max-clients 10)",                                   // 11
                "  (max-clients 20)))",                                 // 12
                "(service virtlog-servce-type)",                        // 13
                "(supervisor-configuration (start-timeout 0) (listen #t))"); // 14
        assertEquals(List.of(
                "c.scm:1:1: warning: no virtlog-service-type is declared: libvirtd's QEMU driver needs virtlogd to start guests;"
                        + " add (service virtlog-service-type)",
                "c.scm:3:4: error: libvirt-configuration has no field 'unix-sock-grup'; did you mean 'unix-sock-group'?",
                "c.scm:4:13: error: field 'tls-port' expects a string, found integer 16555; write \"16555\"",
                "c.scm:5:13: error: field 'auth-tcp': \"polkit\" is not allowed; allowed: \"none\", \"sasl\""
                        + " (polkit works only on the unix sockets)",
                "c.scm:6:16: error: field 'listen-tls?' expects #t or #f, found string \"yes\"; write #t",
                "c.scm:7:23: error: field 'unix-sock-rw-perms': \"0798\" is not an octal file mode; allowed: octal digits such as \"0770\"",
                "c.scm:8:16: error: field 'log-outputs': output \"3:file:relative.log\" needs an absolute path; write N:file:/PATH,"
                        + " e.g. \"3:file:/var/log/libvirt/libvirtd.log\"",
                "c.scm:9:16: error: field 'max-workers': 0 is out of range; allowed: 1 or more",
                "c.scm:10:14: error: field 'host-uuid': \"00000000-0000-0000-0000-000000000000\" is refused by libvirt:"
                        + " the digits of a host UUID must not all be the same",
                "c.scm:12:4: error: field 'max-clients' is given twice in libvirt-configuration (first at 11:4); keep one",
                "c.scm:13:10: error: unknown service type 'virtlog-servce-type'; virtsup supervises libvirt-service-type"
                        + " and virtlog-service-type; did you mean 'virtlog-service-type'?",
                "c.scm:14:42: error: field 'start-timeout': 0 is out of range; allowed: 1 or more",
                "c.scm:14:46: error: supervisor-configuration has no field 'listen'; did you mean 'listen?'?"),
                lines(text));
    }
}

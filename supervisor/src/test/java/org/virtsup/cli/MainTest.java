package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.host.FakeHost;
import org.virtsup.host.Host;

class MainTest {
    @TempDir
    Path directory;

    /** One in-process run of the CLI. */
    record Run(int code, String out, String err) {}

    private Run run(Host host, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation invocation = new Invocation(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), directory.resolve("etc-virtsup-config.scm"), () -> "cli-host", host);
        int code = Main.run(args, invocation);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run(FakeHost.withLibvirtInstalled(), args);
    }

    private String file(String name, String text) throws IOException {
        Path path = directory.resolve(name);
        Files.writeString(path, text, StandardCharsets.UTF_8);
        return path.toString();
    }

    @Test
    void checkOfTheEmbeddedDefault() {
        Run r = run("check");
        assertEquals(new Run(0, "(embedded default): OK: supervises virtlogd and libvirtd\n", ""), r);
    }

    @Test
    void checkUsesTheDefaultFileWhenItExists() throws IOException {
        file("etc-virtsup-config.scm", "(service virtlog-service-type)\n");
        Run r = run("check");
        assertEquals(0, r.code());
        String name = directory.resolve("etc-virtsup-config.scm").toString();
        assertEquals(name + ": OK: supervises virtlogd (1 warning)\n", r.out());
        assertEquals(name + ":1:1: warning: no libvirt-service-type is declared: virtsup will not run libvirtd;"
                + " add (service libvirt-service-type)\n", r.err());
    }

    @Test
    void checkReportsEveryProblemAndExits78() throws IOException {
        String config = file("bad.scm", "(service libvirt-service-type (libvirt-configuration\n"
                + "  (unix-sock-grup \"libvirt\")\n  (max-clients -1)))\n(service virtlog-service-type)\n");
        Run r = run("check", "--config", config);
        assertEquals(78, r.code());
        assertEquals("", r.out());
        assertEquals(config + ":2:4: error: libvirt-configuration has no field 'unix-sock-grup'; did you mean 'unix-sock-group'?\n"
                + config + ":3:16: error: field 'max-clients': -1 is out of range; allowed: 0 or more\n", r.err());
    }

    @Test
    void checkRunsHostChecks() throws IOException {
        String config = file("group.scm", "(service virtlog-service-type)\n"
                + "(service libvirt-service-type (libvirt-configuration (unix-sock-group \"libvirt\")))\n");
        Run r = run("check", "--config=" + config);
        assertEquals(78, r.code());
        assertEquals(config + ":2:71: error: field 'unix-sock-group': group \"libvirt\" does not exist on this host;"
                + " create it (groupadd libvirt) or name an existing group\n", r.err());
        assertEquals(0, run(FakeHost.withLibvirtInstalled().group("libvirt"), "check", "--config", config).code());
    }

    @Test
    void missingExplicitFileIsAnInvalidConfiguration() {
        String missing = directory.resolve("missing.scm").toString();
        assertEquals(new Run(78, "", missing + ": error: the configuration file does not exist\n"), run("check", "--config", missing));
        assertEquals(78, run("render", "--config", missing, "libvirtd").code());
    }

    @Test
    void unreadableExplicitFileIsAnInvalidConfiguration() {
        String dir = directory.toString();
        Run r = run("check", "--config", dir);
        assertEquals(78, r.code());
        assertTrue(r.err().startsWith(dir + ": error: the configuration file cannot be read: "), r.err());
    }

    @Test
    void renderPrintsOnlyTheFile() throws IOException {
        String config = file("ex.scm", "(service virtlog-service-type (virtlog-configuration (max-clients 1000)))\n"
                + "(service libvirt-service-type (libvirt-configuration (mdns-adv? #t)))\n");
        Run virtlogd = run("render", "--config", config, "virtlogd");
        assertEquals(new Run(0, "log_level = 3\nlog_filters = \"3:remote 4:event\"\nlog_outputs = \"3:stderr\"\n"
                + "max_clients = 1000\nmax_size = 2097152\nmax_backups = 3\n",
                config + ":2:65: warning: field 'mdns-adv?' is set to #t but libvirt no longer reads it (9.0 and later do not): it has no effect\n"), virtlogd);
        Run libvirtd = run("render", "libvirtd", "--config", config);
        assertEquals(0, libvirtd.code());
        assertTrue(libvirtd.out().startsWith("listen_tls = 1\n"), libvirtd.out());
        assertTrue(libvirtd.out().contains("\n# mdns_adv = 1 (not read by libvirt 9.0)\n"
                + "# mdns_name = \"Virtualization Host cli-host\" (not read by libvirt 9.0)\n"), libvirtd.out());
        assertEquals(config + ":2:65: warning: field 'mdns-adv?' is set to #t but libvirt no longer reads it (9.0 and later do not): it has no effect\n",
                libvirtd.err());
    }

    @Test
    void renderOfAnInvalidConfigurationPrintsTheProblems() throws IOException {
        String config = file("bad.scm", "(service virtlog-service-type (virtlog-configuration (log-level 9)))\n");
        assertEquals(new Run(78, "", config + ":1:1: warning: no libvirt-service-type is declared: virtsup will not run libvirtd;"
                + " add (service libvirt-service-type)\n"
                + config + ":1:65: error: field 'log-level': 9 is out of range; allowed: 1 to 4\n"),
                run("render", "--config", config, "virtlogd"));
    }

    @Test
    void renderOfAnUndeclaredDaemonFails() throws IOException {
        String config = file("v.scm", "(service virtlog-service-type)\n");
        Run r = run("render", "--config", config, "libvirtd");
        assertEquals(1, r.code());
        assertTrue(r.err().endsWith("virtsup: " + config + " declares no libvirt-service-type: virtsup does not run libvirtd;"
                + " add (service libvirt-service-type) to render it\n"), r.err());
    }

    @Test
    void renderUsage() {
        Run none = run("render");
        assertEquals(2, none.code());
        assertEquals("virtsup: which file? name libvirtd or virtlogd\nusage: virtsup render [--config FILE] libvirtd|virtlogd\n", none.err());
        assertEquals(2, run("render", "qemu").code());
        assertEquals(2, run("render", "libvirtd", "virtlogd").code());
        assertEquals(2, run("render", "--config").code());
        assertEquals(2, run("render", "--verbose", "libvirtd").code());
    }

    @Test
    void explainListsEveryFieldOfTheThreeForms() {
        Run r = run("explain");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("(service libvirt-service-type (libvirt-configuration ...)) -> libvirtd.conf\n"
                + "  libvirt                     package          \"/usr\"\n"
                + "  listen-tls?                 boolean          #t\n"), r.out());
        assertTrue(r.out().contains("  mdns-name                   string           \"Virtualization Host <hostname>\"\n"));
        assertTrue(r.out().contains("(service virtlog-service-type (virtlog-configuration ...)) -> virtlogd.conf\n"));
        assertTrue(r.out().contains("  max-size                    integer          2097152 (2MB)\n"));
        assertTrue(r.out().contains("(supervisor-configuration ...)\n  control-socket              string           \"/run/virtsup/control.sock\"\n"));
        assertTrue(r.out().contains("  log-root                    string           \"/var/log/libvirt\"  (virtsup extension)\n"),
                r.out());
        assertTrue(r.out().contains("  metrics-address             maybe-string     #f\n"), r.out());
        assertEquals(74 + 3, r.out().lines().count());
    }

    @Test
    void explainOneField() {
        Run r = run("explain", "tls-no-sanity-cert");
        assertEquals(0, r.code());
        assertEquals("tls-no-sanity-cert (libvirt-configuration)\n"
                + "  type:    boolean\n"
                + "  default: #f\n"
                + "  file:    libvirtd.conf: written as 'tls_no_sanity_certificate'\n"
                + "\n"
                + "  Disable verification of our own server certificates.\n"
                + "\n"
                + "  When libvirtd starts it performs some sanity checks against its own certificates.\n", r.out());
        assertTrue(run("explain", "max-requests").out().contains("not read by libvirt 9.0 or later (written as a comment '# max_requests = ...')"));
        assertTrue(run("explain", "listen?").out().contains("  file:    not written to any file: read by virtsup: adds --listen"));
        assertTrue(run("explain", "libvirt").out().contains("  type:    package (here: an installation prefix string)\n  default: \"/usr\"\n"));
        Run both = run("explain", "max-clients");
        assertTrue(both.out().contains("max-clients (libvirt-configuration)") && both.out().contains("max-clients (virtlog-configuration)"));
        assertTrue(run("explain", "virtlog-configuration").out().startsWith("(service virtlog-service-type"));
    }

    @Test
    void explainUnknownFieldSuggests() {
        assertEquals(new Run(2, "", "virtsup: no field 'unix-sock-grup'; did you mean 'unix-sock-group'?\n"
                + "usage: virtsup explain [FIELD|FORM]\n"), run("explain", "unix-sock-grup"));
        assertEquals(2, run("explain", "zzz").code());
    }

    @Test
    void helpEverywhere() {
        Run main = run("--help");
        assertEquals(0, main.code());
        assertTrue(main.out().contains("  check      validate the configuration"), main.out());
        assertTrue(main.out().contains("  render     "));
        assertTrue(main.out().contains("  explain    "));
        for (String command : new String[] {"check", "render", "explain"}) {
            Run r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("usage: virtsup " + command), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void usageErrorsExit2WithAUsageLine() {
        assertEquals(new Run(2, "", "virtsup: no command given\nusage: virtsup COMMAND [OPTIONS] (virtsup --help lists the commands)\n"),
                run());
        assertEquals(new Run(2, "", "virtsup: unknown command 'chek'; did you mean 'check'?\n"
                + "usage: virtsup COMMAND [OPTIONS] (virtsup --help lists the commands)\n"), run("chek"));
        assertEquals(2, run("--frobnicate").code());
        assertEquals(new Run(2, "", "virtsup: unknown option --quiet\nusage: virtsup check [--config FILE]\n"), run("check", "--quiet"));
        assertEquals(2, run("check", "extra").code());
        assertEquals(2, run("explain", "--config", "x").code());
    }

    @Test
    void commandFromParts() {
        Command echo = Command.of("echo", "print the arguments", "usage: virtsup echo [WORD...]\n",
                (args, in) -> {
                    in.out().println(String.join(" ", args));
                    return args.isEmpty() ? ExitCode.FAILURE : ExitCode.OK;
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Invocation invocation = new Invocation(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                directory.resolve("none.scm"), () -> "h", FakeHost.withLibvirtInstalled());
        assertEquals(0, echo.run(java.util.List.of("a", "b"), invocation));
        assertEquals("a b\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("usage: virtsup echo [WORD...]", echo.usage());
    }

    @Test
    void unexpectedFailuresExit1() {
        assertEquals(1, Main.exitCodeOf(new IllegalStateException("boom")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, Main.fail(new IllegalStateException("boom"), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("virtsup: internal error: java.lang.IllegalStateException: boom"));
        assertEquals(78, Main.exitCodeOf(new CliException.InvalidConfiguration("x")));
        assertEquals(2, Main.exitCodeOf(new CliException.Usage("x", "usage")));
    }

    @Test
    void checkOfHostileFilesExits78WithOnePositionedLine() throws IOException {
        String deep = file("deep.scm", "(service libvirt-service-type\n" + "(".repeat(3000) + ")".repeat(3001));
        Run r = run("check", "--config", deep);
        assertEquals(78, r.code());
        assertTrue(r.err().startsWith(deep + ":2:256: error: data nested more than 256 levels deep"), r.err());
        Path latin1 = directory.resolve("latin1.scm");
        Files.write(latin1, "; caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Run notUtf8 = run("check", "--config", latin1.toString());
        assertEquals(new Run(78, "", latin1 + ":1:6: error: the file is not UTF-8 text: byte 0xE9 at byte offset 5 does not"
                + " belong here; save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 converts a Latin-1 file)\n"), notUtf8);
    }

    @Test
    void anErrorInACommandIsOneLineAndExit1NotAStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation invocation = new Invocation(System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
                directory.resolve("none.scm"), () -> {
                    throw new StackOverflowError();
                }, FakeHost.withLibvirtInstalled());
        assertEquals(1, Main.run(new String[] {"check"}, invocation));
        assertEquals("virtsup: internal error: java.lang.StackOverflowError (VIRTSUP_DEBUG=1 shows where; please report it)\n",
                err.toString(StandardCharsets.UTF_8));
    }
}

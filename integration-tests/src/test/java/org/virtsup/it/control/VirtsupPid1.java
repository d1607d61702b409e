package org.virtsup.it.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * A libvirt host container whose PID 1 is {@code virtsup run} (reached by
 * exec, so it is PID 1 itself), and the CLI run inside it the way operators
 * and probes run it.
 *
 * <p>The harness prepares the QEMU driver's accounts and qemu.conf before
 * the setup script given here runs; the script then adds what a scenario
 * needs (groups, users, /etc/virtsup/config.scm) and execs virtsup.
 */
final class VirtsupPid1 {
    /** The JVM flags of the container recipe: start-up time matters more than throughput here. */
    static final List<String> JAVA = List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
            LibvirtHostContainer.VIRTSUP_HOME + "/virtsup.jar:" + LibvirtHostContainer.VIRTSUP_HOME + "/lib/*");
    static final String MAIN = "org.virtsup.cli.Main";
    static final String CONFIG_FILE = "/etc/virtsup/config.scm";
    static final String SOCKET = "/run/virtsup/control.sock";

    /** virtsup start, and both daemons ready, on 2 shared cores with other builds running. */
    static final Duration UP_TIMEOUT = Duration.ofSeconds(90);

    private VirtsupPid1() {
    }

    /**
     * A container (not started) that runs {@code setup} as root, then execs
     * {@code virtsup run} as PID 1.
     */
    static LibvirtHostContainer container(String setup) {
        String java = String.join(" ", JAVA.stream().map(VirtsupPid1::quoted).toList());
        return LibvirtHostContainer.createWithVirtsup()
                .withPid1("bash", "-c", "set -eu\n" + setup + "\nexec " + java + " " + MAIN + " run");
    }

    /** Shell lines that write {@code text} to {@code path} (a quoted here-document: nothing is expanded). */
    static String writeFileScript(String path, String text) {
        return "mkdir -p \"$(dirname " + quoted(path) + ")\"\ncat > " + quoted(path) + " <<'VIRTSUP_IT_EOF'\n"
                + text + (text.endsWith("\n") ? "" : "\n") + "VIRTSUP_IT_EOF\n";
    }

    /** A test resource's text, e.g. {@code control/config.scm}. */
    static String resource(String name) {
        try (InputStream in = VirtsupPid1.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line of the CLI inside the container. */
    static String[] cliCommand(String... arguments) {
        List<String> argv = new ArrayList<>(JAVA);
        argv.add(MAIN);
        argv.addAll(Arrays.asList(arguments));
        return argv.toArray(String[]::new);
    }

    /** Runs the CLI inside the container as root. */
    static ExecResult cli(LibvirtHostContainer host, String... arguments) {
        return host.exec(cliCommand(arguments));
    }

    /** Runs the CLI inside the container as {@code user} (with that user's groups, as a login gives them). */
    static ExecResult cliAs(LibvirtHostContainer host, String user, String... arguments) {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        argv.addAll(Arrays.asList(cliCommand(arguments)));
        return host.exec(argv.toArray(String[]::new));
    }

    /**
     * Waits until both daemons are running and ready. One that is wanted down
     * (left so by a test that failed half-way) is started first, so that one
     * failure does not cascade through a class sharing the container.
     */
    static void awaitAllRunning(LibvirtHostContainer host) {
        Poll.until("virtsup status exits 0 (virtsup answers)", UP_TIMEOUT,
                () -> cli(host, "status").exitCode() == 0);
        for (StatusSnapshot.Daemon daemon : status(host).daemons()) {
            if ("down".equals(daemon.wanted())) {
                cli(host, "start", daemon.name()).orFail();
            }
        }
        Poll.until("both daemons are running and ready", UP_TIMEOUT, () -> {
            StatusSnapshot now = status(host);
            return now.daemons().size() == 2 && now.daemons().stream().allMatch(StatusSnapshot.Daemon::runningAndReady);
        });
    }

    /** The current status, parsed; fails when virtsup does not answer. */
    static StatusSnapshot status(LibvirtHostContainer host) {
        ExecResult result = cli(host, "status", "--json");
        if (result.exitCode() != 0 && result.exitCode() != 3) {
            throw new AssertionError("status --json failed: " + result.describe());
        }
        return StatusSnapshot.parse(result.stdout());
    }

    static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}

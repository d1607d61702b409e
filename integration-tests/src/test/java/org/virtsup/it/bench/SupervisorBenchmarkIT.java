package org.virtsup.it.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.FullTests;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;
import org.virtsup.it.TestSettings;

/**
 * virtsup beside the raw daemons, supervisord and runit, in one container on
 * the base image: how fast a killed daemon is back, how fast both daemons
 * answer after a launch, what an idle supervisor costs, and how long a status
 * command takes. Prints a table on lines starting {@code virtsup-benchmark:};
 * asserts nothing about time (it fails only when something does not work,
 * e.g. a daemon never answers).
 *
 * <p>Run it alone, with enough repetitions for medians (10 rounds, 40
 * status calls; about five minutes):
 * <pre>
 * ./packaging/dev/test -pl integration-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SupervisorBenchmarkIT -Dvirtsup.benchmark=full
 * </pre>
 * A plain {@code ./packaging/dev/test} runs it in its short form (3 rounds,
 * 20 status calls, about two minutes) so that the table reaches CI's summary.
 *
 * <p>The contenders, one after the other in the same container, all running
 * the libvirtd.conf and virtlogd.conf that virtsup renders from
 * resources/bench/virtsup.scm: the daemons started by hand (no restart: their
 * cold start is shown instead); virtsup, started through the repository's
 * launcher script so that its JVM runs with exactly the launcher's flags;
 * supervisord (resources/bench/supervisord.conf); runit (runsvdir on
 * resources/bench/runit).
 *
 * <p>Everything timed is timed inside the container by {@link InContainerProbe},
 * a separate JVM: a daemon "answers" when it replies to the first call of
 * libvirt's RPC protocol on its socket (see {@link LibvirtRpc}), confirmed
 * once per contender with {@code virsh -c qemu:///system version}; a "new pid"
 * is seen by listing /proc every 0.2 ms. The machine is shared: the load
 * average is printed with the table, and numbers are noisy under load.
 *
 * <p>Unlike the other test classes, which run their tests in random order,
 * the contenders keep a fixed order, for the numbers and not for
 * correctness (each test prepares what it needs and ends with no daemon
 * left): the raw daemons' first start must be libvirtd's first in the
 * container, the one that probes QEMU's capabilities and fills its cache,
 * and a table is only comparable with another run's when the contenders ran
 * in the same sequence, each after the same ones warmed the same caches.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SupervisorBenchmarkIT {

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    private static final String BENCH = "/opt/virtsup-bench";
    private static final String CLASSES = BENCH + "/classes";
    /** virtsup's launcher as in a source checkout, beside the built jars, so that it runs unchanged. */
    private static final String CHECKOUT = "/opt/virtsup-checkout";
    private static final String CONFIG = InContainerProbe.CONFIG_DIRECTORY;
    private static final String VIRTSUP_CONFIG = CONFIG + "/virtsup.scm";
    private static final String SUPERVISORD_CONFIG = CONFIG + "/supervisord.conf";
    private static final String RUNIT_SERVICES = CONFIG + "/sv";
    /** The launcher the Debian package installs, and where its archives go. */
    private static final String INSTALLED_LAUNCHER = "/usr/bin/virtsup";
    private static final String ARCHIVES = "/var/cache/virtsup";
    /** virtsup's default control socket, which resources/bench/virtsup.scm keeps. */
    private static final String CONTROL_SOCKET = "/run/virtsup/control.sock";
    /** Holds a stand-in {@code java} that prints its arguments, one per line. */
    private static final String ECHO_JAVA_DIRECTORY = BENCH + "/echo-java";
    /** Longer than a round of kills needs at 1 s (supervisord) to 2 s per kill. */
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(5);
    /** Before each kill: a daemon up this long counts its next death as a first failure (virtsup.scm: 1 s). */
    private static final String SETTLE_MS = "1500";

    private static final BenchmarkSettings settings = BenchmarkSettings.current();
    private static final Measurements results = new Measurements();
    private static final List<String> loads = new ArrayList<>();
    private static boolean prepared;
    /** Whether a contender was measured: the soak alone prints no comparison table. */
    private static boolean compared;
    private static List<String> statusFlags = List.of();
    private static String archiveKind = "an archive";

    @Test
    @Order(1)
    void rawDaemons() {
        prepare();
        compared = true;
        probe("first-start");
        probe("cold", "virtlogd", rounds());
        probe("cold", "libvirtd", rounds());
        probe("raw-launch", rounds());
        probe("bare-restart", "libvirtd", rounds(), SETTLE_MS);
        probe("bare-restart", "virtlogd", rounds(), SETTLE_MS);
    }

    @Test
    @Order(2)
    void virtsup() {
        prepare();
        compared = true;
        String launcher = CHECKOUT + "/virtsup";
        probe("launch", "virtsup", rounds(), "TERM", launcher, "run", "--config", VIRTSUP_CONFIG);
        DaemonProcess virtsup = host.startDaemon("virtsup", launcher, "run", "--config", VIRTSUP_CONFIG);
        try {
            probe("await");
            confirmWithVirsh();
            probe("resolution", calls());
            probe("restart", "virtsup", "libvirtd", rounds(), SETTLE_MS);
            probe("restart", "virtsup", "virtlogd", rounds(), SETTLE_MS);
            probe("idle", "virtsup", Integer.toString(virtsup.pid()), Integer.toString(settings.idleSeconds()));

            List<String> java = new ArrayList<>(List.of("java"));
            java.addAll(launcherFlags("status"));
            statusFlags = java.subList(1, java.size());
            List<String> classPath = List.of("-cp", LibvirtHostContainer.VIRTSUP_HOME + "/virtsup.jar:"
                    + LibvirtHostContainer.VIRTSUP_HOME + "/lib/*", "org.virtsup.cli.Main", "status");
            installAsThePackageDoes();
            // In turns, in the same run: the floor (a hello-world on the same JVM with the same
            // flags), status without an archive, status as installed, and the checkout's launcher.
            List<String> timed = new ArrayList<>(List.of("time", calls(), "hello-java"));
            timed.addAll(java);
            timed.addAll(List.of("-cp", CLASSES, HelloWorld.class.getName()));
            timed.addAll(List.of(InContainerProbe.NEXT_COMMAND, "virtsup-java"));
            timed.addAll(java);
            timed.addAll(classPath);
            timed.addAll(List.of(InContainerProbe.NEXT_COMMAND, "virtsup-installed", INSTALLED_LAUNCHER, "status"));
            timed.addAll(List.of(InContainerProbe.NEXT_COMMAND, "virtsup-launcher", launcher, "status"));
            probe(timed);
            probe("reply", calls(), CONTROL_SOCKET);

            if (settings.idleAfterStatus()) {
                // Right after the status calls: what a call leaves behind (timers, idle threads) shows here.
                probe("idle", "virtsup-after-status", Integer.toString(virtsup.pid()),
                        Integer.toString(settings.idleSeconds()), "--at-once");
            }
        } finally {
            host.stop(virtsup);
            awaitNoDaemons();
        }
        idleJvmFloor();
        // virtsup run as an installation starts it: through /usr/bin/virtsup, from the archive
        // postinst makes (the checkout's launcher above has none).
        probe("launch", "virtsup-cds", rounds(), "TERM", INSTALLED_LAUNCHER, "run", "--config", VIRTSUP_CONFIG);
        printLaunchBreakdown();
    }

    /**
     * The idle floor beside virtsup's: a JVM with the flags the launcher gives
     * run ({@link IdleJvm}), measured idle as virtsup is, over the same window.
     */
    private static void idleJvmFloor() {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(launcherFlags("run"));
        command.addAll(List.of("-cp", CLASSES, IdleJvm.class.getName()));
        DaemonProcess floor = host.startDaemon("idle-jvm", command.toArray(String[]::new));
        try {
            probe("idle", "jvm-floor", Integer.toString(floor.pid()), Integer.toString(settings.idleSeconds()));
        } finally {
            host.stop(floor);
        }
    }

    /**
     * One more launch as installed, with the JVM's class loading logged, read
     * by {@link LaunchBreakdown}: where the launch goes, step by step.
     */
    private static void printLaunchBreakdown() {
        String classLog = "/tmp/virtsup-class-load.txt";
        String runLog = "/tmp/virtsup-breakdown.log";
        ExecResult launched = host.exec("bash", "-c", String.join("\n",
                "rm -f " + classLog + " " + runLog,
                "VIRTSUP_JAVA_EXTRA_OPTS=-Xlog:class+load=info:file=" + classLog + ":uptime " + INSTALLED_LAUNCHER
                        + " run --config " + VIRTSUP_CONFIG + " >" + runLog + " 2>&1 &",
                "pid=$!",
                "for i in $(seq 1 3000); do grep -q ' virtsup: ready: ' " + runLog + " && break; sleep 0.01; done",
                "ready=$(grep -c ' virtsup: ready: ' " + runLog + ")",
                "kill -TERM $pid; wait $pid",
                "[ \"$ready\" -gt 0 ] || { cat " + runLog + "; exit 1; }",
                "cat " + classLog)).orFail();
        awaitNoDaemons();
        System.out.println("virtsup-benchmark: run's launch as installed, from JVM start (the first class of each"
                + " step): " + LaunchBreakdown.of(launched.stdout()));
    }

    @Test
    @Order(3)
    void supervisord() {
        prepare();
        compared = true;
        requireSupervisors();
        probe("launch", "supervisord", rounds(), "TERM", "supervisord", "-n", "-c", SUPERVISORD_CONFIG);
        DaemonProcess supervisord = host.startDaemon("supervisord", "supervisord", "-n", "-c", SUPERVISORD_CONFIG);
        try {
            probe("await");
            confirmWithVirsh();
            probe("restart", "supervisord", "libvirtd", rounds(), SETTLE_MS);
            probe("restart", "supervisord", "virtlogd", rounds(), SETTLE_MS);
            probe("idle", "supervisord", Integer.toString(supervisord.pid()), Integer.toString(settings.idleSeconds()));
            probe("time", calls(), "supervisorctl", "supervisorctl", "-c", SUPERVISORD_CONFIG, "status");
        } finally {
            host.stop(supervisord);
            awaitNoDaemons();
        }
    }

    @Test
    @Order(4)
    void runit() {
        prepare();
        compared = true;
        requireSupervisors();
        // runsvdir ends on HUP after sending TERM to each runsv, which stops its service and exits.
        probe("launch", "runit", rounds(), "HUP", "runsvdir", RUNIT_SERVICES);
        DaemonProcess runsvdir = host.startDaemon("runsvdir", "runsvdir", RUNIT_SERVICES);
        try {
            probe("await");
            confirmWithVirsh();
            probe("restart", "runit", "libvirtd", rounds(), SETTLE_MS);
            probe("restart", "runit", "virtlogd", rounds(), SETTLE_MS);
            String runsv = host.exec("pgrep", "-d", ",", "-P", Integer.toString(runsvdir.pid()), "-x", "runsv")
                    .orFail().stdout().trim();
            probe("idle", "runit", runsvdir.pid() + "," + runsv, Integer.toString(settings.idleSeconds()));
            probe("time", calls(), "sv", "sv", "status", RUNIT_SERVICES + "/virtlogd", RUNIT_SERVICES + "/libvirtd");
        } finally {
            host.exec("kill", "-HUP", Long.toString(runsvdir.pid()));
            Poll.until("runsvdir (pid " + runsvdir.pid() + ") has exited after SIGHUP", Duration.ofSeconds(30),
                    () -> !host.isAlive(runsvdir.pid()));
            awaitNoDaemons();
        }
    }

    /**
     * The soak, only when asked for ({@code -Dvirtsup.soak}, see
     * {@link BenchmarkSettings#soakCycles()}): kill -9 of virtlogd and then
     * libvirtd, 1,000 cycles, virtsup's descriptors, threads, resident memory
     * and zombie children counted every 100. None of them may grow past its
     * figure at cycle 100 (the first cycles load classes and fill caches);
     * resident memory, which the garbage collector moves both ways, by no
     * more than a quarter.
     */
    @Test
    @Order(5)
    void virtsupSoak() {
        int cycles = BenchmarkSettings.soakCycles();
        Assumptions.assumeTrue(cycles > 0, "the soak runs with -Dvirtsup.soak[=CYCLES]");
        prepare();
        String launcher = CHECKOUT + "/virtsup";
        DaemonProcess virtsup = host.startDaemon("virtsup", launcher, "run", "--config", VIRTSUP_CONFIG);
        List<long[]> figures = new ArrayList<>();
        try {
            probe("await");
            List<String> command = List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", CLASSES,
                    SoakProbe.class.getName(), Long.toString(virtsup.pid()), Integer.toString(cycles), "1100");
            ExecResult result = host.exec(Duration.ofSeconds(10L * cycles + 60), command.toArray(String[]::new));
            for (String line : result.stdout().split("\n")) {
                if (line.startsWith("soak ")) {
                    long[] numbers = Arrays.stream(line.substring(5).trim().split(" ")).mapToLong(Long::parseLong)
                            .toArray();
                    figures.add(numbers);
                    System.out.printf("virtsup-benchmark: soak cycle %5d: %3d descriptors, %3d threads, %6d kB"
                            + " resident, %d zombies%n", numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]);
                }
            }
            if (!result.succeeded()) {
                throw new AssertionError("the soak probe failed: " + result.describe());
            }
        } finally {
            host.stop(virtsup);
            awaitNoDaemons();
        }
        long[] reference = figures.stream().filter(f -> f[0] == Math.min(SoakProbe.EVERY, cycles)).findFirst()
                .orElseThrow(() -> new AssertionError("no figures at cycle " + SoakProbe.EVERY));
        for (long[] later : figures.stream().filter(f -> f[0] > reference[0]).toList()) {
            String at = "at cycle " + later[0] + " against cycle " + reference[0];
            assertTrue(later[1] <= reference[1], "descriptors grew " + at + ": " + later[1] + " > " + reference[1]);
            assertTrue(later[2] <= reference[2], "threads grew " + at + ": " + later[2] + " > " + reference[2]);
            assertTrue(later[3] <= reference[3] * 5 / 4, "resident memory grew by more than a quarter " + at + ": "
                    + later[3] + " kB > " + reference[3] + " kB");
            assertTrue(later[4] <= reference[4], "zombies grew " + at + ": " + later[4] + " > " + reference[4]);
        }
    }

    @AfterAll
    static void printTable() {
        if (!prepared || !compared) {
            return;
        }
        new BenchmarkTable(results, settings, loads, archiveKind).lines()
                .forEach(line -> System.out.println("virtsup-benchmark: " + line));
        if (!statusFlags.isEmpty()) {
            System.out.println("virtsup-benchmark: the launcher's JVM flags for status: "
                    + String.join(" ", statusFlags));
        }
    }

    /** Copies the probe, the launcher and the configurations in, once per class; renders the daemons' files. */
    private static void prepare() {
        if (prepared) {
            return;
        }
        loads.add(host.exec("cat", "/proc/loadavg").orFail().stdout().trim());
        Path classes = testClasses();
        String packagePath = InContainerProbe.class.getPackageName().replace('.', '/');
        host.copyIn(classes.resolve(packagePath), CLASSES + "/" + packagePath);
        Path resources = classes.resolve("bench");
        host.copyIn(resources.resolve("virtsup.scm"), VIRTSUP_CONFIG);
        host.copyIn(resources.resolve("supervisord.conf"), SUPERVISORD_CONFIG);
        for (String daemon : List.of("virtlogd", "libvirtd")) {
            host.copyIn(resources.resolve("runit/" + daemon + "/run"), RUNIT_SERVICES + "/" + daemon + "/run");
        }
        Path home = TestSettings.property("virtsup.home").map(Path::of).orElseThrow();
        host.copyIn(home.resolve("virtsup"), CHECKOUT + "/virtsup");
        // The launcher takes its choice of java and JDK options from the packaging's jvm.sh.
        host.copyIn(home.resolve("packaging/debian/jvm.sh"), CHECKOUT + "/packaging/debian/jvm.sh");
        host.copyIn(TestSettings.virtsupJar().orElseThrow(), CHECKOUT + "/supervisor/target/virtsup.jar");
        host.copyIn(TestSettings.virtsupLib().orElseThrow(), CHECKOUT + "/supervisor/target/lib");
        // The launcher rebuilds when a source is newer than the jar: there are no sources here.
        host.shell(String.join(" && ",
                "chmod 0755 " + CHECKOUT + "/virtsup " + RUNIT_SERVICES + "/*/run",
                "mkdir -p " + CHECKOUT + "/config-model " + InContainerProbe.LOG_DIRECTORY,
                "touch -d @0 " + CHECKOUT + "/pom.xml")).orFail();
        host.writeFile(ECHO_JAVA_DIRECTORY + "/java", "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        host.exec("chmod", "0755", ECHO_JAVA_DIRECTORY + "/java").orFail();
        for (String daemon : List.of("libvirtd", "virtlogd")) {
            ExecResult rendered = host.virtsup("render", "--config", VIRTSUP_CONFIG, daemon).orFail();
            host.writeFile(CONFIG + "/" + daemon + ".conf", rendered.stdout());
        }
        prepared = true;
    }

    /**
     * /usr/bin/virtsup and its archives as the Debian package installs them:
     * the package's launcher and jvm.sh, the jars under /usr/share/virtsup,
     * jffi's stub taken out of its jar into /usr/lib/virtsup, and the
     * archives made by the same jvm.sh function postinst runs.
     */
    private static void installAsThePackageDoes() {
        Path home = TestSettings.property("virtsup.home").map(Path::of).orElseThrow();
        host.copyIn(jffiStub(), "/usr/lib/virtsup/libjffi-1.2.so");
        host.copyIn(home.resolve("packaging/debian/virtsup"), INSTALLED_LAUNCHER);
        host.copyIn(home.resolve("packaging/debian/jvm.sh"), "/usr/share/virtsup/jvm.sh");
        host.shell(String.join(" && ",
                "chmod 0755 " + INSTALLED_LAUNCHER,
                "ln -sfn " + LibvirtHostContainer.VIRTSUP_HOME + "/virtsup.jar /usr/share/virtsup/virtsup.jar",
                "ln -sfn " + LibvirtHostContainer.VIRTSUP_HOME + "/lib /usr/share/virtsup/lib",
                ". /usr/share/virtsup/jvm.sh && virtsup_pick_java && virtsup_make_archives " + ARCHIVES)).orFail();
        String archives = host.exec("sh", "-c", "cd " + ARCHIVES + " && du -k *").orFail().stdout().trim();
        results.put("cds.archive.kB", Long.parseLong(archives.lines().filter(line -> line.contains("-client-"))
                .findFirst().orElseThrow(() -> new AssertionError("postinst's function made no client archive: "
                        + archives)).split("\\s+")[0]));
        archiveKind = archives.contains(".aot") ? "an AOT cache" : "a class-data archive";
    }

    /** jffi's native stub for x86_64 Linux, out of the runtime class path's native jar, as packaging's build takes it. */
    private static Path jffiStub() {
        Path lib = TestSettings.virtsupLib().orElseThrow();
        try (Stream<Path> jars = Files.list(lib)) {
            Path nativeJar = jars.filter(jar -> jar.getFileName().toString().matches("jffi-.*-native\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no jffi native jar in " + lib));
            Path stub = Files.createTempFile("libjffi", ".so");
            try (ZipFile jar = new ZipFile(nativeJar.toFile());
                    InputStream in = jar.getInputStream(jar.getEntry("jni/x86_64-Linux/libjffi-1.2.so"))) {
                Files.copy(in, stub, StandardCopyOption.REPLACE_EXISTING);
            }
            stub.toFile().deleteOnExit();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The RPC probe's "answers" is what a client sees: virsh can use the QEMU driver then. */
    private static void confirmWithVirsh() {
        host.exec("virsh", "-c", "qemu:///system", "version").orFail();
    }

    private static void requireSupervisors() {
        FullTests.require(host.shell("command -v supervisord && command -v supervisorctl && command -v runsvdir"
                        + " && command -v sv").succeeded(),
                "the base image has no supervisord or runit: rebuild it with packaging/container/build-base-image"
                        + " (its package list has supervisor and runit) and set VIRTSUP_BASE_IMAGE to its output");
    }

    private static Path testClasses() {
        try {
            return Path.of(InContainerProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }

    /**
     * The JVM flags virtsup's launcher passes for {@code arguments}, exactly:
     * the launcher is run with a stand-in {@code java} first on its PATH that
     * prints its arguments; the flags are those before {@code -cp}.
     */
    private static List<String> launcherFlags(String... arguments) {
        // VIRTSUP_JAVA too: the launcher (jvm.sh) passes over a java on PATH whose JDK release it cannot read.
        List<String> command = new ArrayList<>(List.of("env", "PATH=" + ECHO_JAVA_DIRECTORY + ":/usr/sbin:/usr/bin:/bin",
                "VIRTSUP_JAVA=" + ECHO_JAVA_DIRECTORY + "/java", CHECKOUT + "/virtsup"));
        command.addAll(Arrays.asList(arguments));
        return flagsBeforeClassPath(host.exec(command.toArray(String[]::new)).orFail().stdout());
    }

    /** The lines printed by the stand-in java up to {@code -cp}, one argument per line. */
    static List<String> flagsBeforeClassPath(String arguments) {
        List<String> lines = List.of(arguments.split("\n"));
        int classPath = lines.indexOf("-cp");
        if (classPath < 0) {
            throw new IllegalStateException("the launcher passed no -cp to java: " + lines);
        }
        return List.copyOf(lines.subList(0, classPath));
    }

    /** Runs the probe in the container and keeps what it measured. */
    private static String probe(String... arguments) {
        return probe(Arrays.asList(arguments));
    }

    private static String probe(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", CLASSES, InContainerProbe.class.getName()));
        command.addAll(arguments);
        ExecResult result = host.exec(PROBE_TIMEOUT, command.toArray(String[]::new));
        results.add(result.stdout());
        if (!result.succeeded()) {
            throw new AssertionError("the benchmark probe failed: " + result.describe());
        }
        return result.stdout();
    }

    private static void awaitNoDaemons() {
        Poll.until("no libvirtd or virtlogd is left", Duration.ofSeconds(30),
                () -> !host.exec("pgrep", "-x", "libvirtd|virtlogd").succeeded());
        loads.add(host.exec("cat", "/proc/loadavg").orFail().stdout().trim());
    }

    private static String rounds() {
        return Integer.toString(settings.rounds());
    }

    private static String calls() {
        return Integer.toString(settings.calls());
    }
}

package org.virtsup.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A container on the local base image (Debian bookworm with libvirt 9.0) made
 * fit for the real libvirtd and virtlogd to run as root in it, unprivileged.
 *
 * <p>Use it as a class-level extension,
 * {@code @RegisterExtension static final LibvirtHostContainer host = LibvirtHostContainer.create();},
 * which starts the container before the class's tests, removes it after
 * them, and prints the daemons' logs when a test fails; or on its own in
 * try-with-resources ({@link #start()} then {@link #close()}).
 *
 * <p>The container is prepared by packaging/dev/prepare-libvirt-host
 * {@code --container} (copied in as {@value #PREPARE_SCRIPT}), run before
 * anything else. What an unprivileged container needs for libvirtd 9.0 and virtlogd
 * (measured on Docker 20.10, cgroup v1, no {@code --privileged}, the default
 * capability set and seccomp profile):
 * <ul>
 * <li>A process reaper as PID 1 ({@code docker run --init}). At its first
 *     start libvirtd probes QEMU's capabilities by running
 *     {@code qemu-system-*} daemonized; the probes are re-parented to PID 1,
 *     and libvirtd waits for each probe's pid to vanish. With {@code sleep}
 *     as PID 1 they stay zombies and {@code virsh -c qemu:///system version}
 *     answered after 81 s instead of about 1 s (the admin server answers at
 *     once either way). Guests' QEMU processes are re-parented to PID 1 too.
 *     Once virtsup runs as PID 1 it must do this reaping itself.</li>
 * <li>The QEMU driver's accounts. Debian's libvirt-daemon package creates
 *     none (libvirt-daemon-system does) and the driver refuses to initialise
 *     without them, which makes libvirtd exit at once:
 *     user {@code libvirt-qemu} ("Failed to parse user 'libvirt-qemu'") and
 *     group {@code libvirt-qemu} ("Failed to parse group 'libvirt-qemu'"),
 *     the compiled-in defaults of qemu.conf's {@code user} and {@code group}.
 *     Group {@code kvm} (libvirt-qemu's supplementary group on Debian, owner of
 *     /dev/kvm) and group {@code libvirt} (the usual {@code unix-sock-group})
 *     are not needed to start, but are what a Debian host has.</li>
 * <li>Directories: none need to exist beforehand; run as root, the daemons
 *     create /run/libvirt, /var/lib/libvirt, /var/cache/libvirt themselves.
 *     /var/log/libvirt is only needed by a {@code file:} log output or by
 *     guests' logs (virtlogd started with {@code -d} and no config logs to
 *     /var/log/libvirt/virtlogd.log and dies without it). They are made
 *     anyway so a daemon never fails on a missing parent.</li>
 * <li>/etc/libvirt/qemu.conf with {@code remember_owner = 0} (remembering
 *     image owners needs trusted.* extended attributes, i.e. CAP_SYS_ADMIN)
 *     and {@code cgroup_controllers = [ ]} (/sys/fs/cgroup is read-only in
 *     the container). Neither stops libvirtd from starting; both stop guests.</li>
 * <li>No D-Bus: libvirtd logs "Unable to get system bus connection" and goes
 *     on without firewalld support; polkit authentication on the unix
 *     sockets lets root in without asking polkit, so the default
 *     {@code auth_unix_rw = "polkit"} works for root clients.</li>
 * <li>Errors logged at every start that are harmless here: no dnsmasq, no
 *     /sys/devices/virtual/dmi/id, dmidecode without /dev/mem, no /dev/kvm
 *     (QEMU runs with TCG).</li>
 * </ul>
 * Both daemons write a pid file under /run and lock it (/run/libvirtd.pid,
 * /run/virtlogd.pid), so one container holds one instance of each at a time.
 * Measured on 2 shared cores: the container starts and is prepared in
 * 0.2-1 s; libvirtd's admin server answers {@code virt-admin -c
 * libvirtd:///system srv-list} 0.05-0.4 s after the start, before its
 * drivers are ready; {@code virsh -c qemu:///system version} answers after
 * 0.8-2 s on the first start in a fresh container (libvirtd probes QEMU's
 * capabilities and caches them in /var/cache/libvirt/qemu) and after
 * 0.1-0.5 s on later starts. virtlogd answers at once.
 */
public final class LibvirtHostContainer extends ContainerExtension {
    /** Where virtsup's jar and its runtime class path are copied: /opt/virtsup/virtsup.jar, /opt/virtsup/lib/. */
    public static final String VIRTSUP_HOME = "/opt/virtsup";
    /** Where {@link #startDaemon} sends the daemons' output. */
    public static final String LOG_DIRECTORY = "/var/log/virtsup-test";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** The longest a command run by {@link #exec(String...)} may take. */
    public static final Duration EXEC_TIMEOUT = Duration.ofSeconds(120);

    /** Images are local only: there is no registry to pull from, and a pull must never be tried. */
    private static final ImagePullPolicy NEVER_PULL = imageName -> false;

    /**
     * The recipe, kept in one place for the tests, packaging/dev/run and
     * container images: packaging/dev/prepare-libvirt-host, copied in here.
     */
    static final String PREPARE_SCRIPT = "/usr/local/sbin/virtsup-prepare-libvirt-host";

    /** The first line of PID 1's preparation; while PID 1's command line holds it, PID 1 has not exec'd yet. */
    private static final String PREPARE_MARK = "# virtsup-test: prepare a libvirt host";

    /** Makes the container a libvirt host; safe to run twice and on an image that already has the accounts. */
    static final String PREPARE_LIBVIRT_HOST = String.join("\n",
            PREPARE_MARK,
            "set -eu",
            PREPARE_SCRIPT + " --container",
            "mkdir -p " + LOG_DIRECTORY,
            "");

    private final boolean withVirtsup;
    private final List<DaemonProcess> daemons = new ArrayList<>();
    private Optional<String> image = Optional.empty();
    private List<String> pid1 = List.of();
    private final List<String> capabilities = new ArrayList<>();
    private GenericContainer<?> container;
    private Duration startDuration = Duration.ZERO;

    private LibvirtHostContainer(boolean withVirtsup) {
        this.withVirtsup = withVirtsup;
    }

    /** A container with the daemons only. */
    public static LibvirtHostContainer create() {
        return new LibvirtHostContainer(false);
    }

    /** A container that also holds virtsup's jars under {@link #VIRTSUP_HOME}, to run {@link #virtsup}. */
    public static LibvirtHostContainer createWithVirtsup() {
        return new LibvirtHostContainer(true);
    }

    /**
     * Uses another local image than the base image (for example one built
     * with {@link LocalImage} from the base image); it must be Debian with
     * libvirt and, for {@link #virtsup}, Java 17.
     */
    public LibvirtHostContainer withImage(String reference) {
        this.image = Optional.of(reference);
        return this;
    }

    /**
     * Runs {@code argv} as the container's PID 1, for a process that reaps
     * orphans itself (virtsup); without it PID 1 is {@code sleep infinity}
     * under Docker's init. The host is prepared before {@code argv} is
     * exec'd, so it starts on a ready libvirt host; its output is the
     * container's log.
     */
    public LibvirtHostContainer withPid1(String... argv) {
        this.pid1 = List.of(argv);
        return this;
    }

    /**
     * Adds a capability to Docker's default set ({@code docker run --cap-add NAME}),
     * e.g. SYS_PTRACE, without which Docker's seccomp profile refuses pidfd_getfd.
     */
    public LibvirtHostContainer withCapability(String name) {
        capabilities.add(name);
        return this;
    }

    /** The command line that runs virtsup's CLI inside the container, e.g. for {@link #withPid1}. */
    public static String[] virtsupCommand(String... arguments) {
        List<String> argv = new ArrayList<>(List.of("java", "-cp",
                VIRTSUP_HOME + "/virtsup.jar:" + VIRTSUP_HOME + "/lib/*", "org.virtsup.cli.Main"));
        argv.addAll(Arrays.asList(arguments));
        return argv.toArray(String[]::new);
    }

    /**
     * Starts the container and prepares it; skips or fails (see
     * {@link FullTests}) when Docker, the base image or virtsup's jars are
     * missing.
     */
    public LibvirtHostContainer start() {
        if (container != null) {
            return this;
        }
        String reference = requireImage();
        long started = System.nanoTime();
        GenericContainer<?> created = new GenericContainer<>(DockerImageName.parse(reference))
                .withImagePullPolicy(NEVER_PULL)
                .withStartupTimeout(Duration.ofSeconds(60));
        if (pid1.isEmpty()) {
            // --init: a reaper as PID 1 (see the class comment). Never --privileged: the engine refuses it.
            created.withCommand("sleep", "infinity")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true));
        } else {
            List<String> command = new ArrayList<>(List.of("bash", "-c", PREPARE_LIBVIRT_HOST + "exec \"$@\"", "pid1"));
            command.addAll(pid1);
            created.withCommand(command.toArray(String[]::new));
        }
        if (!capabilities.isEmpty()) {
            created.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withCapAdd(capabilities.stream()
                    .map(com.github.dockerjava.api.model.Capability::valueOf)
                    .toArray(com.github.dockerjava.api.model.Capability[]::new)));
        }
        created.withCopyFileToContainer(MountableFile.forHostPath(prepareScript(), 0755), PREPARE_SCRIPT);
        if (withVirtsup) {
            Path jar = TestSettings.virtsupJar().orElseThrow();
            Path lib = TestSettings.virtsupLib().orElseThrow();
            created.withCopyFileToContainer(MountableFile.forHostPath(jar), VIRTSUP_HOME + "/virtsup.jar")
                    .withCopyFileToContainer(MountableFile.forHostPath(lib), VIRTSUP_HOME + "/lib");
        }
        container = created;
        try {
            container.start();
            if (pid1.isEmpty()) {
                shell(PREPARE_LIBVIRT_HOST).orFail();
            } else {
                // The container runs as soon as bash does: wait until it has prepared the host and exec'd.
                // A PID 1 that exits at once (a test may want just that) ends the wait too.
                Poll.until("PID 1 has prepared the host and exec'd " + pid1.get(0), Duration.ofSeconds(30),
                        this::pid1Execed);
            }
        } catch (RuntimeException | AssertionError e) {
            System.out.println(describeForFailure());
            close();
            throw e;
        }
        startDuration = Duration.ofNanos(System.nanoTime() - started);
        Benchmark.record("container start and preparation", startDuration);
        return this;
    }

    private static Path prepareScript() {
        Path script = TestSettings.property("virtsup.home").map(Path::of)
                .orElseThrow(() -> new IllegalStateException("system property virtsup.home is not set"
                        + " (failsafe sets it to the source checkout)"))
                .resolve("packaging/dev/prepare-libvirt-host");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script + ": virtsup.home must be the source checkout");
        }
        return script;
    }

    private boolean pid1Execed() {
        try {
            return !exec("grep", "-qaF", PREPARE_MARK, "/proc/1/cmdline").succeeded() || !isRunning();
        } catch (RuntimeException e) {
            if (!isRunning()) {
                return true;
            }
            throw e;
        }
    }

    private String requireImage() {
        Optional<String> engineProblem = DockerEngine.problem();
        FullTests.require(engineProblem.isEmpty(), "Testcontainers cannot use the Docker engine ("
                + engineProblem.orElse("") + "); start one with packaging/dev/docker-engine");
        Optional<String> image = this.image.or(TestSettings::baseImage);
        FullTests.require(image.isPresent(), "the base image is unknown: set VIRTSUP_BASE_IMAGE to the output of"
                + " packaging/container/build-base-image");
        FullTests.require(DockerEngine.hasImage(image.get()), "the image " + image.get()
                + " is not in the local Docker engine (it is never pulled): run packaging/container/build-base-image");
        if (withVirtsup) {
            FullTests.require(TestSettings.virtsupJar().isPresent() && TestSettings.virtsupLib().isPresent(),
                    "virtsup's jars are missing (supervisor/target/virtsup.jar and lib/): build with mvn package");
        }
        return image.get();
    }

    /** How long starting and preparing the container took. */
    public Duration startDuration() {
        return startDuration;
    }

    public String containerId() {
        return running().getContainerId();
    }

    /**
     * Runs {@code argv} inside the container as root and waits for it to end,
     * at most {@link #EXEC_TIMEOUT}: a virsh talking to a stuck daemon must
     * fail the test, not hang the build.
     */
    public ExecResult exec(String... argv) {
        return exec(EXEC_TIMEOUT, argv);
    }

    /**
     * Runs {@code argv} inside the container as root and waits for it to end;
     * after {@code timeout} coreutils' timeout sends it TERM (KILL 5 s later)
     * and the result's exit code is 124 (137 when killed).
     */
    public ExecResult exec(Duration timeout, String... argv) {
        String[] bounded = Stream.concat(
                Stream.of("timeout", "--kill-after=5", Long.toString(Math.max(1, timeout.toSeconds()))),
                Arrays.stream(argv)).toArray(String[]::new);
        try {
            Container.ExecResult result = running().execInContainer(bounded);
            return new ExecResult(Arrays.asList(argv), result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + Arrays.toString(argv) + " in the container: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + Arrays.toString(argv), e);
        }
    }

    /** Runs a bash script inside the container. */
    public ExecResult shell(String script) {
        return exec("bash", "-c", script);
    }

    /** Runs virtsup's CLI inside the container (needs {@link #createWithVirtsup()}). */
    public ExecResult virtsup(String... arguments) {
        if (!withVirtsup) {
            throw new IllegalStateException("this container has no virtsup jars: use LibvirtHostContainer.createWithVirtsup()");
        }
        return exec(virtsupCommand(arguments));
    }

    /** Writes a text file (UTF-8, mode 0644) into the container, creating its parent directories. */
    public void writeFile(String path, String text) {
        running().copyFileToContainer(Transferable.of(text.getBytes(StandardCharsets.UTF_8), 0644), path);
    }

    /** Copies a file or directory from this machine into the container (a built package, a fixture). */
    public void copyIn(Path hostPath, String containerPath) {
        running().copyFileToContainer(MountableFile.forHostPath(hostPath), containerPath);
    }

    /** Reads a text file from the container. */
    public String readFile(String path) {
        return running().copyFileFromContainer(path,
                (InputStream in) -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Whether a path exists in the container. */
    public boolean exists(String path) {
        return exec("test", "-e", path).succeeded();
    }

    /** Polls {@code condition} until it holds; see {@link Poll#until(String, Duration, BooleanSupplier)}. */
    public Duration awaitUntil(String what, Duration timeout, BooleanSupplier condition) {
        return Poll.until(what, timeout, condition);
    }

    /**
     * Starts a long-running process in the background, in its own session,
     * its output going to {@code LOG_DIRECTORY/<name>.log}, and returns its
     * pid. The container's init reaps it when it ends.
     */
    public DaemonProcess startDaemon(String name, String... argv) {
        String log = LOG_DIRECTORY + "/" + name + ".log";
        // setsid in a non-interactive shell's background job execs in place, so $! is the daemon's own pid.
        ExecResult result = exec(Stream.concat(
                Stream.of("bash", "-c", "setsid \"$@\" </dev/null >>" + log + " 2>&1 & echo $!", name),
                Arrays.stream(argv)).toArray(String[]::new)).orFail();
        DaemonProcess daemon = new DaemonProcess(name, Integer.parseInt(result.stdout().trim()), List.of(argv), log);
        daemons.add(daemon);
        return daemon;
    }

    /** Whether the container (its PID 1) is still running. */
    public boolean isRunning() {
        return running().getDockerClient().inspectContainerCmd(containerId()).exec().getState().getRunning();
    }

    /** Sends a signal ("TERM", "HUP", "USR1", ...) to the container's PID 1, as {@code docker kill --signal} does. */
    public void signalPid1(String signal) {
        running().getDockerClient().killContainerCmd(containerId()).withSignal(signal).exec();
    }

    /** Waits until PID 1 has exited and returns its exit code. */
    public long awaitPid1Exit(Duration timeout) {
        Poll.until("PID 1 of the container has exited", timeout, () -> !isRunning());
        return running().getDockerClient().inspectContainerCmd(containerId()).exec().getState().getExitCodeLong();
    }

    /** Whether a process with this pid exists in the container (zombies are reaped by the init). */
    public boolean isAlive(int pid) {
        return exec("kill", "-0", Integer.toString(pid)).succeeded();
    }

    /**
     * Ends a daemon this test started: SIGTERM to its pid only, then, if it
     * is still there after the stop timeout, SIGKILL. Returns once it is gone.
     */
    public void stop(DaemonProcess daemon) {
        if (!isAlive(daemon.pid())) {
            return;
        }
        exec("kill", "-TERM", Integer.toString(daemon.pid()));
        try {
            Poll.until(daemon.name() + " (pid " + daemon.pid() + ") has exited after SIGTERM", STOP_TIMEOUT,
                    () -> !isAlive(daemon.pid()));
        } catch (AssertionError e) {
            exec("kill", "-KILL", Integer.toString(daemon.pid()));
            Poll.until(daemon.name() + " (pid " + daemon.pid() + ") has exited after SIGKILL", STOP_TIMEOUT,
                    () -> !isAlive(daemon.pid()));
            throw new AssertionError(daemon.name() + " ignored SIGTERM for " + STOP_TIMEOUT.toSeconds()
                    + " s and was killed", e);
        }
    }

    /** The output of every daemon started so far, the processes, and the container's own log. */
    @Override
    public String describeForFailure() {
        if (container == null || container.getContainerId() == null) {
            return "=== the libvirt host container was not created";
        }
        StringBuilder text = new StringBuilder("=== libvirt host container " + container.getContainerId() + "\n");
        if (!container.isRunning()) {
            return text.append("(not running) --- container output:\n").append(container.getLogs()).toString();
        }
        for (DaemonProcess daemon : daemons) {
            text.append("--- ").append(daemon.name()).append(" (pid ").append(daemon.pid()).append(") ")
                    .append(String.join(" ", daemon.argv())).append(", ").append(daemon.logFile()).append(":\n");
            // Lines cut at 500 characters: a debug filter makes libvirtd log whole QMP replies.
            ExecResult log = exec("bash", "-c", "tail -n 150 \"$1\" | cut -c1-500", "tail", daemon.logFile());
            text.append(log.succeeded() ? log.stdout() : log.stderr());
        }
        ExecResult virtsupLogs = shell("for f in /run/virtsup/*.log /var/log/virtsup/*.log; do"
                + " [ -f \"$f\" ] && { echo \"--- $f\"; tail -n 200 \"$f\"; }; done; true");
        text.append(virtsupLogs.stdout());
        text.append("--- processes:\n").append(exec("ps", "-eo", "pid,ppid,stat,etime,args").stdout());
        text.append("--- container output:\n").append(container.getLogs());
        return text.toString();
    }

    private GenericContainer<?> running() {
        if (container == null) {
            throw new IllegalStateException("the libvirt host container is not started: call start()");
        }
        return container;
    }

    /** Removes the container (and with it every process in it). */
    @Override
    public void close() {
        if (container != null) {
            container.stop();
            container = null;
        }
        daemons.clear();
    }

    @Override
    protected void startForClass() {
        start();
    }

    /** The daemons started in this container so far, oldest first. */
    public List<DaemonProcess> daemons() {
        return List.copyOf(daemons);
    }

    @Override
    public String toString() {
        return daemons.stream().map(DaemonProcess::name)
                .collect(Collectors.joining(", ", "LibvirtHostContainer[", "]"));
    }
}

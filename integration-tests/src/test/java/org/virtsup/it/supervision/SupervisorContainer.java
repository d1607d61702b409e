package org.virtsup.it.supervision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ContainerExtension;
import org.virtsup.it.DockerEngine;
import org.virtsup.it.ExecResult;
import org.virtsup.it.FullTests;
import org.virtsup.it.Poll;
import org.virtsup.it.TestSettings;

/**
 * A container on the base image whose PID 1 is {@code virtsup run}, as in
 * production: virtsup starts, supervises and stops the real virtlogd and
 * libvirtd, reaps orphans, and its stderr (its own lines and the daemons',
 * under {@code daemon.NAME}) is the container's log.
 *
 * <p>Unlike {@link org.virtsup.it.LibvirtHostContainer}, the files a test
 * gives (the configuration) are in place before PID 1 starts, the host is
 * prepared for libvirt only on request (a test needs the accounts missing),
 * and a PID 1 that exits at once (exit 78) is a valid outcome, not a failed
 * start: the container stays until {@link #close()} so its log and files
 * can be read.
 *
 * <p>Use it as a class-level extension: the container starts before the
 * class's tests and is removed after them; a failed test prints the log.
 */
final class SupervisorContainer extends ContainerExtension {
    static final String VIRTSUP_HOME = "/opt/virtsup";
    static final String CONFIG = "/etc/virtsup/config.scm";

    /** A serial collector and the C1 compiler only: the quickest start of virtsup's JVM on a few cores. */
    private static final List<String> JAVA = List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", VIRTSUP_HOME + "/virtsup.jar:" + VIRTSUP_HOME + "/lib/*", "org.virtsup.cli.Main");

    /**
     * packaging/dev/prepare-libvirt-host, the project's one recipe for what a
     * Debian host with libvirt-daemon-system has and the base image lacks
     * (the QEMU driver's accounts, without which libvirtd exits at once, and
     * qemu.conf for an unprivileged container), copied in here.
     */
    static final String PREPARE_SCRIPT = "/usr/local/sbin/virtsup-prepare-libvirt-host";

    /** The longest one exec may take: a command talking to a stuck daemon fails the test, not the build. */
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(120);

    /** A PID 1 that has exited is what some tests want: never a failed start. */
    private static final StartupCheckStrategy ANY_OUTCOME = new StartupCheckStrategy() {
        @Override
        public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    };

    private final Map<String, String> files = new LinkedHashMap<>();
    private final Map<String, Path> hostFiles = new LinkedHashMap<>();
    private final List<String> setup = new ArrayList<>();
    private boolean prepared;
    private List<String> runArguments = List.of("run");
    private GenericContainer<?> container;

    private SupervisorContainer() {
    }

    static SupervisorContainer create() {
        return new SupervisorContainer();
    }

    /** A file in place before virtsup starts (mode 0644). */
    SupervisorContainer withFile(String path, String text) {
        files.put(path, text);
        return this;
    }

    /** A program of this machine copied in before virtsup starts (mode 0755), e.g. prometheus. */
    SupervisorContainer withHostProgram(Path program, String path) {
        hostFiles.put(path, program);
        return this;
    }

    /** The configuration file virtsup run is started with ({@code --config /etc/virtsup/config.scm}). */
    SupervisorContainer withConfiguration(String text) {
        runArguments = List.of("run", "--config", CONFIG);
        return withFile(CONFIG, text);
    }

    /** A shell command run as root before virtsup starts (after {@link #preparedForLibvirt()}'s recipe). */
    SupervisorContainer withSetup(String shellCommand) {
        setup.add(shellCommand);
        return this;
    }

    /** Creates libvirt's accounts and qemu.conf before virtsup starts; without it libvirtd cannot start. */
    SupervisorContainer preparedForLibvirt() {
        prepared = true;
        return this;
    }

    SupervisorContainer start() {
        if (container != null) {
            return this;
        }
        Optional<String> engineProblem = DockerEngine.problem();
        FullTests.require(engineProblem.isEmpty(), "Testcontainers cannot use the Docker engine ("
                + engineProblem.orElse("") + "); start one with packaging/dev/docker-engine");
        Optional<String> image = TestSettings.baseImage();
        FullTests.require(image.isPresent(), "the base image is unknown: set VIRTSUP_BASE_IMAGE to the output of"
                + " packaging/container/build-base-image");
        FullTests.require(DockerEngine.hasImage(image.get()), "the image " + image.get()
                + " is not in the local Docker engine (it is never pulled): run packaging/container/build-base-image");
        FullTests.require(TestSettings.virtsupJar().isPresent() && TestSettings.virtsupLib().isPresent(),
                "virtsup's jars are missing (supervisor/target/virtsup.jar and lib/): build with mvn package");
        List<String> command = new ArrayList<>();
        List<String> before = new ArrayList<>(List.of("set -eu"));
        if (prepared) {
            before.add(PREPARE_SCRIPT + " --container");
        }
        before.addAll(setup);
        if (before.size() > 1) {
            // bash execs virtsup: PID 1 stays PID 1, now virtsup's JVM.
            before.add("exec \"$@\"");
            command.addAll(List.of("bash", "-c", String.join("\n", before), "pid1"));
        }
        command.addAll(JAVA);
        command.addAll(runArguments);
        long started = System.nanoTime();
        GenericContainer<?> created = new GenericContainer<>(DockerImageName.parse(image.get()))
                .withImagePullPolicy(name -> false)
                .withStartupCheckStrategy(ANY_OUTCOME)
                .withCopyFileToContainer(MountableFile.forHostPath(prepareScript(), 0755), PREPARE_SCRIPT)
                .withCopyFileToContainer(MountableFile.forHostPath(TestSettings.virtsupJar().get()),
                        VIRTSUP_HOME + "/virtsup.jar")
                .withCopyFileToContainer(MountableFile.forHostPath(TestSettings.virtsupLib().get()),
                        VIRTSUP_HOME + "/lib")
                .withCommand(command.toArray(String[]::new));
        hostFiles.forEach((path, program) -> created.withCopyFileToContainer(MountableFile.forHostPath(program, 0755), path));
        files.forEach((path, text) -> created.withCopyToContainer(
                Transferable.of(text.getBytes(StandardCharsets.UTF_8), 0644), path));
        container = created;
        try {
            container.start();
        } catch (RuntimeException e) {
            System.out.println(describeForFailure());
            close();
            throw e;
        }
        Benchmark.record("container with virtsup as PID 1 started", Duration.ofNanos(System.nanoTime() - started));
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

    /** Gives the running container what libvirtd needs (packaging/dev/prepare-libvirt-host --container). */
    void prepareLibvirtHost() {
        exec(PREPARE_SCRIPT, "--container").orFail();
    }

    String containerId() {
        return running().getContainerId();
    }

    /** Runs {@code argv} inside the container as root, ended by coreutils' timeout after {@link #EXEC_TIMEOUT}. */
    ExecResult exec(String... argv) {
        return exec(EXEC_TIMEOUT, argv);
    }

    /** Runs {@code argv} inside the container as root; after {@code timeout} it is ended (exit 124, or 137). */
    ExecResult exec(Duration timeout, String... argv) {
        List<String> bounded = new ArrayList<>(List.of("timeout", "--kill-after=5",
                Long.toString(Math.max(1, timeout.toSeconds()))));
        bounded.addAll(Arrays.asList(argv));
        try {
            Container.ExecResult result = running().execInContainer(bounded.toArray(String[]::new));
            return new ExecResult(Arrays.asList(argv), result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + Arrays.toString(argv) + " in the container: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + Arrays.toString(argv), e);
        }
    }

    /** virtsup's CLI inside the container, e.g. {@code virtsup("status", "--json")}. */
    ExecResult virtsup(String... arguments) {
        List<String> argv = new ArrayList<>(JAVA);
        argv.addAll(Arrays.asList(arguments));
        return exec(argv.toArray(String[]::new));
    }

    /** The pid a daemon wrote into its pid file (/run/libvirtd.pid, /run/virtlogd.pid), empty when none. */
    OptionalInt pidFile(String path) {
        ExecResult read = exec("cat", path);
        String text = read.stdout().trim();
        return read.succeeded() && text.matches("[0-9]+")
                ? OptionalInt.of(Integer.parseInt(text))
                : OptionalInt.empty();
    }

    /** Whether libvirtd's QEMU driver answers ({@code virsh -c qemu:///system version}): libvirtd is fully up. */
    boolean libvirtdAnswers() {
        return exec("virsh", "-c", "qemu:///system", "version").succeeded();
    }

    /** Replaces a file inside the running container. */
    void writeFile(String path, String text) {
        running().copyFileToContainer(Transferable.of(text.getBytes(StandardCharsets.UTF_8), 0644), path);
    }

    /**
     * Writes {@code text} back as the configuration file and has virtsup
     * reload it, if the file holds anything else (a test changed it); what the
     * reload restarts is the caller's to wait for.
     */
    void restoreConfiguration(String text) {
        if (!text.equals(exec("cat", CONFIG).orFail().stdout())) {
            writeFile(CONFIG, text);
            virtsup("reload").orFail();
        }
    }

    /** Whether a path exists in the container, running or not (read through the engine, not through exec). */
    boolean hasFile(String path) {
        DockerClient client = running().getDockerClient();
        try (InputStream archive = client.copyArchiveFromContainerCmd(containerId(), path).exec()) {
            return archive != null;
        } catch (NotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path + " from the container: " + e, e);
        }
    }

    /** The container's log: virtsup's stderr and stdout, daemons' lines included. */
    String log() {
        return running().getLogs();
    }

    /** The container's log as lines. */
    List<String> logLines() {
        return List.of(log().split("\n"));
    }

    /** Sends a signal to PID 1 ({@code docker kill --signal}). */
    void signalPid1(String signal) {
        running().getDockerClient().killContainerCmd(containerId()).withSignal(signal).exec();
    }

    /** {@code docker stop -t SECONDS}: SIGTERM to PID 1, SIGKILL after the timeout; returns once it exited. */
    void dockerStop(Duration timeout) {
        running().getDockerClient().stopContainerCmd(containerId()).withTimeout((int) timeout.toSeconds()).exec();
    }

    boolean isRunning() {
        return Boolean.TRUE.equals(inspect().getState().getRunning());
    }

    /** PID 1's exit code, once the container stopped. */
    long awaitExitCode(Duration timeout) {
        Poll.until("PID 1 (virtsup) has exited", timeout, () -> !isRunning());
        return inspect().getState().getExitCodeLong();
    }

    private InspectContainerResponse inspect() {
        return running().getDockerClient().inspectContainerCmd(containerId()).exec();
    }

    /** The container's log and, while it runs, its processes. */
    @Override
    public String describeForFailure() {
        if (container == null || container.getContainerId() == null) {
            return "=== the virtsup container was not created";
        }
        StringBuilder text = new StringBuilder("=== virtsup container " + container.getContainerId() + "\n");
        try {
            if (isRunning()) {
                text.append("--- processes:\n").append(exec("ps", "-eo", "pid,ppid,stat,lstart,args").stdout());
            } else {
                text.append("--- PID 1 exited with code ").append(inspect().getState().getExitCodeLong()).append('\n');
            }
            text.append("--- container log (virtsup and the daemons):\n").append(log());
        } catch (RuntimeException e) {
            text.append("(cannot read the container: ").append(e).append(")\n");
        }
        return text.toString();
    }

    private GenericContainer<?> running() {
        if (container == null) {
            throw new IllegalStateException("the virtsup container is not started: call start()");
        }
        return container;
    }

    /** Removes the container and everything in it. */
    @Override
    public void close() {
        if (container != null) {
            container.stop();
            container = null;
        }
    }

    @Override
    protected void startForClass() {
        start();
    }
}

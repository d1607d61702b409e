package org.virtsup.it.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Volume;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * One scenario's container. By default it runs the image's own ENTRYPOINT
 * and CMD, i.e. {@code virtsup run} as PID 1 in virtsup's image; the settings
 * ({@link #withCommand}, {@link #withInit}, {@link #withHealthCheckInterval},
 * {@link #withReadOnlyBind}, {@link #withFile}) apply at {@link #start()}.
 * Every exec is bounded by a timeout; signals go to the container's PID 1
 * (as {@code docker kill --signal}) or, by pid, to processes inside it.
 */
final class ScenarioContainer implements AutoCloseable {
    /** The longest one exec may take. */
    static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final GenericContainer<?> container;
    private Optional<HealthCheck> healthCheck = Optional.empty();
    private final List<Bind> binds = new ArrayList<>();
    private boolean init;
    private boolean started;

    ScenarioContainer(String name, String image) {
        this.name = name;
        this.container = new GenericContainer<>(DockerImageName.parse(image))
                // Local images only: there is no registry, and a pull must never be tried.
                .withImagePullPolicy(imageName -> false)
                // Started is running or already ended: a scenario may expect PID 1 to exit at once
                // (an invalid configuration), and says itself what it waits for.
                .withStartupCheckStrategy(new RunningOrEnded())
                .withStartupTimeout(Duration.ofSeconds(60));
    }

    /** Replaces the image's CMD (with virtsup's image: arguments of {@code virtsup run}). */
    ScenarioContainer withCommand(String... command) {
        container.withCommand(command);
        return this;
    }

    /** Runs Docker's init as PID 1 ({@code docker run --init}), for a container whose command does not reap. */
    ScenarioContainer withInit() {
        init = true;
        return this;
    }

    /**
     * Checks health every {@code interval} instead of the image's interval.
     * Only the interval is given: the engine takes the rest, the command
     * above all, from the image's HEALTHCHECK.
     */
    ScenarioContainer withHealthCheckInterval(Duration interval) {
        healthCheck = Optional.of(new HealthCheck().withInterval(interval.toNanos()));
        return this;
    }

    /**
     * Binds a file or directory of this machine read-only into the container
     * (docker run -v PATH:PATH:ro). Given to the engine as is: Testcontainers'
     * own file binds first check the engine with a helper image from Docker
     * Hub, and there is no registry.
     */
    ScenarioContainer withReadOnlyBind(Path hostPath, String containerPath) {
        binds.add(new Bind(hostPath.toAbsolutePath().toString(), new Volume(containerPath), AccessMode.ro));
        return this;
    }

    /** Copies a file of this machine into the container before it starts. */
    ScenarioContainer withFile(Path hostFile, String containerPath) {
        container.withCopyFileToContainer(MountableFile.forHostPath(hostFile), containerPath);
        return this;
    }

    ScenarioContainer start() {
        container.withCreateContainerCmdModifier(command -> {
            healthCheck.ifPresent(command::withHealthcheck);
            if (init) {
                command.getHostConfig().withInit(true);
            }
            if (!binds.isEmpty()) {
                command.getHostConfig().withBinds(binds);
            }
        });
        started = true;
        container.start();
        return this;
    }

    String containerId() {
        return container.getContainerId();
    }

    private DockerClient docker() {
        return container.getDockerClient();
    }

    InspectContainerResponse inspect() {
        return docker().inspectContainerCmd(containerId()).exec();
    }

    boolean isRunning() {
        return Boolean.TRUE.equals(inspect().getState().getRunning());
    }

    /** The health check's verdict: starting, healthy, unhealthy; empty without a health check. */
    Optional<String> healthStatus() {
        InspectContainerResponse.ContainerState state = inspect().getState();
        return Optional.ofNullable(state.getHealth()).map(health -> health.getStatus());
    }

    /** Sends a signal to PID 1, as {@code docker kill --signal SIGNAL} does. */
    void signalPid1(String signal) {
        docker().killContainerCmd(containerId()).withSignal(signal).exec();
    }

    /**
     * {@code docker stop --time SECONDS}: the image's STOPSIGNAL to PID 1, SIGKILL
     * after the timeout; returns when the container has ended.
     */
    void dockerStop(Duration timeout) {
        docker().stopContainerCmd(containerId()).withTimeout((int) timeout.toSeconds()).exec();
    }

    /** {@code docker start}: the same container again, its file system as PID 1 left it (a restart policy's way). */
    void dockerStart() {
        docker().startContainerCmd(containerId()).exec();
    }

    /** Waits until PID 1 has ended and returns its exit code. */
    long awaitExit(Duration timeout) {
        Poll.until("PID 1 of " + name + " has exited", timeout, () -> !isRunning());
        return inspect().getState().getExitCodeLong();
    }

    /** stdout and stderr of PID 1 so far, interleaved as Docker keeps them. */
    String logs() {
        return container.getLogs();
    }

    /** Runs {@code argv} as root inside the container, ended by coreutils' timeout after {@link #EXEC_TIMEOUT}. */
    ExecResult exec(String... argv) {
        String[] bounded = Stream.concat(Stream.of("timeout", "--kill-after=5",
                Long.toString(EXEC_TIMEOUT.toSeconds())), Arrays.stream(argv)).toArray(String[]::new);
        try {
            Container.ExecResult result = container.execInContainer(bounded);
            return new ExecResult(Arrays.asList(argv), result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + Arrays.toString(argv) + " in " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + Arrays.toString(argv), e);
        }
    }

    ExecResult shell(String script) {
        return exec("sh", "-c", script);
    }

    /** The installed CLI, /usr/bin/virtsup, as an operator or the health check runs it. */
    ExecResult virtsup(String... arguments) {
        List<String> argv = new ArrayList<>(List.of("virtsup"));
        argv.addAll(Arrays.asList(arguments));
        return exec(argv.toArray(String[]::new));
    }

    /** {@code virtsup status --json}, parsed; fails when the supervisor cannot be reached. */
    Status status() {
        ExecResult result = virtsup("status", "--json");
        if (result.exitCode() != 0 && result.exitCode() != 3) {
            throw new AssertionError("virtsup status --json: " + result.describe());
        }
        return Status.parse(result.stdout());
    }

    /**
     * Polls {@code virtsup status --json} until every daemon is running and
     * ready (exit code 0 of {@code virtsup status}), and returns that status.
     */
    Status awaitAllRunning(Duration timeout) {
        return Poll.untilPresent("virtsup status in " + name + " says every daemon is running and ready", timeout,
                () -> {
                    ExecResult result = virtsup("status", "--json");
                    if (result.exitCode() != 0) {
                        return Optional.empty();
                    }
                    Status status = Status.parse(result.stdout());
                    return status.allRunningAndReady() ? Optional.of(status) : Optional.empty();
                });
    }

    /** Polls PID 1's output until a line holds {@code text}. */
    void awaitLog(String text, Duration timeout) {
        Poll.until("the output of " + name + " holds \"" + text + "\"", timeout, () -> logs().contains(text));
    }

    /** The pids of the processes whose command name is {@code command} (ps -C), oldest first. */
    List<Integer> pidsOf(String command) {
        ExecResult result = exec("ps", "-o", "pid=", "--sort=start_time", "-C", command);
        return result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty())
                .map(Integer::valueOf).toList();
    }

    /** Size in bytes of a file in the container, -1 when it does not exist. */
    long fileSize(String path) {
        ExecResult result = exec("stat", "-c", "%s", path);
        return result.succeeded() ? Long.parseLong(result.stdout().strip()) : -1;
    }

    void writeFile(String path, String text) {
        container.copyFileToContainer(Transferable.of(text), path);
    }

    /** Reads a text file of the container, running or ended (as docker cp does). */
    String readFile(String path) {
        return container.copyFileFromContainer(path,
                in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** PID 1's output, the processes and virtsup's view, for a failed scenario. */
    String describeForFailure() {
        if (!started || container.getContainerId() == null) {
            return "=== " + name + ": the container was not created";
        }
        StringBuilder text = new StringBuilder("=== " + name + " (container " + containerId() + ", image "
                + container.getDockerImageName() + ")\n");
        try {
            if (isRunning()) {
                text.append("--- processes:\n").append(exec("ps", "-eo", "pid,ppid,stat,etime,args").stdout());
                ExecResult status = virtsup("status");
                text.append("--- virtsup status (exit ").append(status.exitCode()).append("):\n")
                        .append(status.stdout()).append(status.stderr());
            } else {
                text.append("(ended with code ").append(inspect().getState().getExitCodeLong()).append(")\n");
            }
            text.append("--- container output:\n").append(logs());
        } catch (RuntimeException | AssertionError e) {
            text.append("(cannot describe it further: ").append(e).append(")\n");
        }
        return text.toString();
    }

    /** Removes the container, its anonymous volumes and every process in it. */
    @Override
    public void close() {
        container.stop();
    }

    /** Started means running, or already ended (with any exit code): the scenario decides what it expects. */
    private static final class RunningOrEnded extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(dockerClient, containerId);
            if (Boolean.TRUE.equals(state.getRunning()) || state.getFinishedAt() != null
                    && !state.getFinishedAt().startsWith("0001-")) {
                return StartupStatus.SUCCESSFUL;
            }
            return StartupStatus.NOT_YET_KNOWN;
        }
    }
}

package org.virtsup.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Supervision;

/**
 * A {@link SupervisionExecutor} on a real {@link EventLoop} thread with its reaper,
 * driving a {@link FakePosix}, on {@link FakeTime}: timers fire only when the
 * test {@link #advance}s the time.
 */
final class ExecutorUnderTest implements AutoCloseable {
    static final String STATE_DIRECTORY = "/run/virtsup-test";
    /** virtsup's own environment: only PATH-independent, documented names may reach the daemons. */
    static final Map<String, String> OUR_ENVIRONMENT = Map.of(
            "PATH", "/home/tester/bin:/usr/bin",
            "HOME", "/home/tester",
            "LANG", "C.UTF-8",
            "LC_MESSAGES", "fr_FR.UTF-8",
            "TZ", "Europe/Paris",
            "LIBVIRT_DEBUG", "1",
            "NOTIFY_SOCKET", "/run/systemd/notify",
            "JAVA_HOME", "/usr/lib/jvm/java-17",
            "SECRET_TOKEN", "must-not-leak",
            "LD_PRELOAD", "/tmp/evil.so");

    /** An observer that does nothing: no init system to tell. */
    static final SupervisionExecutor.Observer NO_OBSERVER = new SupervisionExecutor.Observer() {
        @Override
        public void readyReported(Supervision supervision) {}

        @Override
        public void stopping(Supervision supervision) {}

        @Override
        public void stepped(Supervision before, Supervision after) {}
    };

    final FakePosix posix;
    final FakeTime time = new FakeTime();
    final EventLoop loop = new EventLoop(time::nanoTime);
    final Configuration configuration;
    final SupervisionExecutor supervisor;
    final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private final Map<String, String> ourEnvironment;
    private final Thread thread;
    /** When set, the daemons are started with these sockets handed over. */
    volatile HandedSockets handed;

    /** Tells {@link #handed}, once set, of every step. */
    private SupervisionExecutor.Observer handedSocketsObserver() {
        return new SupervisionExecutor.Observer() {
            @Override
            public void readyReported(Supervision supervision) {}

            @Override
            public void stopping(Supervision supervision) {}

            @Override
            public void stepped(Supervision before, Supervision after) {
                if (handed != null) {
                    handed.stepped(before, after);
                }
            }
        };
    }

    ExecutorUnderTest(FakePosix posix, String configurationText) {
        this(posix, configurationText, OUR_ENVIRONMENT);
    }

    ExecutorUnderTest(FakePosix posix, String configurationText, Map<String, String> ourEnvironment) {
        this(posix, configurationText, ourEnvironment, time -> time);
    }

    /** {@code clock}: the clock the supervisor reads, made from the test's time. */
    ExecutorUnderTest(FakePosix posix, String configurationText, Map<String, String> ourEnvironment,
                        java.util.function.Function<FakeTime, java.time.Clock> clock) {
        this.posix = posix;
        this.ourEnvironment = Map.copyOf(ourEnvironment);
        this.configuration = configuration(configurationText);
        Supervision initial = Supervision.initial(ConfigurationInForce.policyOf(configuration.supervisor()),
                ConfigurationInForce.daemonsOf(configuration));
        this.supervisor = new SupervisionExecutor(posix, loop, clock.apply(time), initial, this::program, handedSocketsObserver(),
                code -> {
            exitCode.complete(code);
            loop.stop();
        }, new GuestProcesses(Path.of("/nonexistent/proc"), Path.of("/nonexistent/run/libvirt/qemu"))); // no guests: not this host's QEMUs
        thread = new Thread(loop::run, "test-event-loop");
        thread.setDaemon(true);
        thread.start();
        supervisor.startReaper();
    }

    static Configuration configuration(String text) {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("test.scm", text, "testhost");
        return loaded.configuration().orElseThrow(() -> new AssertionError("bad test configuration: "
                + loaded.diagnostics()));
    }

    static Path notifySocket(Daemon daemon) {
        return Path.of(STATE_DIRECTORY, "notify", daemon.programName() + ".sock");
    }

    DaemonProgram program(Daemon daemon) {
        Path file = Path.of(STATE_DIRECTORY, daemon.programName() + ".conf");
        DaemonProgram bare = daemon == Daemon.VIRTLOGD
                ? DaemonProgram.virtlogd(configuration.virtlog().orElseThrow(), configuration.prefix(), file,
                        notifySocket(daemon), ourEnvironment)
                : DaemonProgram.libvirtd(configuration.libvirt().orElseThrow(), configuration.supervisor(), file,
                        notifySocket(daemon), ourEnvironment);
        return handed == null ? bare : handed.program(daemon, bare);
    }

    /** Runs {@code task} on the loop and returns its result: also a barrier behind everything posted before. */
    <T> T onLoop(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the event loop did not run a task within 5 s", e);
        }
    }

    void boot() {
        onLoop(() -> supervisor.feed(new Event.Boot()));
    }

    DaemonState state(Daemon daemon) {
        return onLoop(() -> supervisor.state().daemon(daemon));
    }

    /** READY=1 from the daemon's current process. */
    void ready(Daemon daemon) {
        onLoop(() -> {
            supervisor.ready(daemon);
            return null;
        });
    }

    DaemonState awaitState(Daemon daemon, Predicate<DaemonState> condition, String expected) {
        Eventually.until(() -> condition.test(state(daemon)), () -> daemon + " " + expected + "; it is "
                + state(daemon));
        return state(daemon);
    }

    /** Boots, makes both daemons ready; returns {virtlogd's pid, libvirtd's pid}. */
    int[] bootBoth() {
        boot();
        int virtlogd = posix.awaitSpawned(1, Duration.ofSeconds(5)).pid();
        ready(Daemon.VIRTLOGD);
        int libvirtd = posix.awaitSpawned(2, Duration.ofSeconds(5)).pid();
        ready(Daemon.LIBVIRTD);
        awaitState(Daemon.LIBVIRTD, s -> s.ready() && s.pid() == libvirtd, "is running as " + libvirtd);
        return new int[] {virtlogd, libvirtd};
    }

    /**
     * Moves time on and waits until every timer due by then has fired (a timer
     * armed now with no delay fires after the ones due before it), or virtsup exited.
     */
    void advance(Duration by) {
        time.advance(by);
        CompletableFuture<Void> fired = new CompletableFuture<>();
        onLoop(() -> loop.schedule(Duration.ZERO, () -> fired.complete(null)));
        try {
            // virtsup's exit cancels every timer, ours too: the loop is done then.
            CompletableFuture.anyOf(fired, exitCode).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the event loop's timers did not run within 5 s", e);
        }
    }

    /** Every kill(2) the fake saw, as "kill PID SIGNAME". */
    List<String> kills() {
        return posix.calls().stream().filter(call -> call.startsWith("kill ")).toList();
    }

    @Override
    public void close() {
        supervisor.stopReaper();
        loop.stop();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

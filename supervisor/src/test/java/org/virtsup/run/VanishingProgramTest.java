package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.Signals;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * A daemon's program removed, then back without execute permission, while it
 * runs: through the kernel (posix_spawn's ENOENT and EACCES), the restarts
 * fail with the reason, back off, and succeed once the program is back.
 */
class VanishingProgramTest {
    @TempDir
    Path dir;

    private final JnrPosix posix = new JnrPosix();
    private final FakeTime time = new FakeTime();
    private final EventLoop loop = new EventLoop(time::nanoTime);
    private SupervisionExecutor supervisor;
    private Thread loopThread;

    @AfterEach
    void stop() {
        int pid = onLoop(() -> supervisor.state().daemon(Daemon.VIRTLOGD).pid());
        if (pid != DaemonState.NO_PID) {
            try {
                posix.kill(pid, Signals.KILL);
            } catch (PosixException gone) {
                // already ended
            }
        }
        supervisor.stopReaper();
        loop.stop();
    }

    @Test
    void restartsFailClearlyWithBackoffAndRecoverWhenTheProgramReturns() throws Exception {
        Path program = dir.resolve("virtlogd");
        Files.writeString(program, "#!/bin/sh\nexec sleep 300\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        start(program);
        onLoop(() -> supervisor.feed(new Event.Boot()));
        int first = awaitStarting("the first start");
        onLoop(() -> {
            supervisor.ready(Daemon.VIRTLOGD);
            return null;
        });

        Files.delete(program);
        posix.kill(first, Signals.KILL);
        DaemonState missing = await(s -> s.phase() == Phase.BACKOFF, "backing off after the failed restart");
        assertTrue(missing.problem().orElse("").contains("spawn " + program + ": ENOENT"), missing.toString());

        Files.writeString(program, "#!/bin/sh\nexec sleep 300\n"); // back, but not executable
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rw-r--r--"));
        advance(Duration.ofSeconds(1));
        DaemonState denied = await(s -> s.phase() == Phase.BACKOFF && s.problem().orElse("").contains("EACCES"),
                "backing off again, refused");
        assertTrue(denied.consecutiveFailures() > missing.consecutiveFailures(), denied.toString());

        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        advance(Duration.ofMinutes(5)); // past any backoff
        int recovered = awaitStarting("a new process once the program is back");
        onLoop(() -> {
            supervisor.ready(Daemon.VIRTLOGD);
            return null;
        });
        DaemonState running = await(s -> s.phase() == Phase.RUNNING && s.pid() == recovered, "running again");
        assertEquals(recovered, running.pid());
    }

    private void start(Path program) {
        Configuration configuration = ExecutorUnderTest.configuration("(service virtlog-service-type)\n");
        Supervision initial = Supervision.initial(ConfigurationInForce.policyOf(configuration.supervisor()),
                ConfigurationInForce.daemonsOf(configuration));
        supervisor = new SupervisionExecutor(posix, loop, time, initial, daemon -> new DaemonProgram("virtlogd",
                program.toString(), List.of(program.toString()), Map.of("PATH", "/usr/bin:/bin"),
                dir.resolve("virtlogd.pid"), dir.resolve("virtlogd-sock")), ExecutorUnderTest.NO_OBSERVER, code -> loop.stop(), new GuestProcesses(Path.of("/nonexistent/proc"), Path.of("/nonexistent/run/libvirt/qemu")));
        loopThread = new Thread(loop::run, "test-event-loop");
        loopThread.setDaemon(true);
        loopThread.start();
        supervisor.startReaper();
    }

    private int awaitStarting(String what) {
        return await(s -> s.phase() == Phase.STARTING && s.pid() != DaemonState.NO_PID, what).pid();
    }

    private DaemonState await(java.util.function.Predicate<DaemonState> condition, String what) {
        Eventually.until(() -> condition.test(state()), Duration.ofSeconds(10), () -> what + "; it is " + state());
        return state();
    }

    private DaemonState state() {
        return onLoop(() -> supervisor.state().daemon(Daemon.VIRTLOGD));
    }

    private void advance(Duration by) {
        time.advance(by);
        CompletableFuture<Void> fired = new CompletableFuture<>();
        onLoop(() -> loop.schedule(Duration.ZERO, () -> fired.complete(null)));
        fired.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private <T> T onLoop(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> result.complete(task.get()));
        return result.orTimeout(5, TimeUnit.SECONDS).join();
    }
}

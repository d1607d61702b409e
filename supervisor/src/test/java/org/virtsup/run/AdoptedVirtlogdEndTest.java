package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * An adopted virtlogd (not virtsup's child: an earlier virtsup's, watched
 * through its pidfd) that dies while guests run: their console output is
 * lost as when a child virtlogd dies, and virtsup names them the same way.
 */
@Timeout(60)
class AdoptedVirtlogdEndTest {
    @TempDir Path proc;
    @TempDir Path qemuRun;

    private final FakePosix posix = new FakePosix().onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon());
    private final FakeTime time = new FakeTime();
    private final EventLoop loop = new EventLoop(time::nanoTime);
    private SupervisionExecutor supervisor;

    @AfterEach
    void stop() {
        supervisor.stopReaper();
        loop.stop();
    }

    @Test
    void anAdoptedVirtlogdThatEndsLosesTheRunningGuestsConsolesAndIsRestarted() throws IOException {
        Path guest = Files.createDirectories(proc.resolve("42"));
        Files.write(guest.resolve("cmdline"), "/usr/bin/qemu-system-x86_64\0-name\0guest=web\0"
                .getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(qemuRun.resolve("web.pid"), "42\n");
        Files.writeString(qemuRun.resolve("web.xml"), "<domstatus/>");
        Configuration configuration = ExecutorUnderTest.configuration("(service virtlog-service-type)\n");
        supervisor = new SupervisionExecutor(posix, loop, time, Supervision.initial(
                ConfigurationInForce.policyOf(configuration.supervisor()), ConfigurationInForce.daemonsOf(configuration)),
                daemon -> DaemonProgram.virtlogd(configuration.virtlog().orElseThrow(), configuration.prefix(),
                        Path.of("/run/virtsup/virtlogd.conf"), null, ExecutorUnderTest.OUR_ENVIRONMENT),
                ExecutorUnderTest.NO_OBSERVER, code -> loop.stop(), new GuestProcesses(proc, qemuRun));
        Thread thread = new Thread(loop::run, "test-event-loop");
        thread.setDaemon(true);
        thread.start();
        supervisor.startReaper();
        onLoop(() -> supervisor.feed(new Event.Adopted(Daemon.VIRTLOGD, 811)));
        onLoop(() -> supervisor.feed(new Event.Boot()));

        onLoop(() -> {
            supervisor.adoptedEnded(811);
            return null;
        });

        List<LostConsoleLogs.Lost> lost = onLoop(supervisor::lostConsoleLogs);
        assertEquals(List.of(new GuestProcesses.Guest(42, "web")), lost.stream().map(LostConsoleLogs.Lost::guest).toList());
        DaemonState state = onLoop(() -> supervisor.state().daemon(Daemon.VIRTLOGD));
        assertEquals(Phase.STARTING, state.phase(), state.toString());
        assertEquals(1, state.restarts());
        assertEquals("/usr/sbin/virtlogd", posix.awaitSpawned(1, Duration.ofSeconds(5)).spec().path(),
                "a new virtlogd is started, as virtsup's child");
    }

    private <T> T onLoop(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> result.complete(task.get()));
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

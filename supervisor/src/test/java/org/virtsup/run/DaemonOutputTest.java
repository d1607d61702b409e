package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.Signals;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Daemon;

/**
 * Real children through the kernel: a "daemon" that starts a sleeper holding
 * its output and exits, again and again, as a crashing libvirtd whose helper
 * lives on would at every restart.
 */
class DaemonOutputTest {
    private static final int RESTARTS = 6;

    private final JnrPosix posix = new JnrPosix();
    private final EventLoop loop = new EventLoop();
    private final List<Integer> sleepers = new ArrayList<>();
    private final List<Integer> daemons = new ArrayList<>();
    /** What /proc/self/fd shows for each read end handed to DaemonOutput, e.g. "socket:[4711]". */
    private final List<String> readEnds = new ArrayList<>();
    private Thread loopThread;

    @AfterEach
    void endSleepersAndLoop() {
        for (int sleeper : sleepers) {
            try {
                posix.kill(sleeper, Signals.KILL);
            } catch (PosixException gone) {
                // already ended
            }
        }
        loop.stop();
    }

    @Test
    void aProcessKeepingTheOutputOpenLeavesNoThreadNorDescriptorBehind() throws Exception {
        loopThread = new Thread(loop::run, "test-event-loop");
        loopThread.setDaemon(true);
        loopThread.start();
        List<ChildExit> handled = new CopyOnWriteArrayList<>();
        DaemonOutput outputs = new DaemonOutput(posix, loop, handled::add);

        runOnce(outputs, handled, 1); // the first one loads what stays loaded (classes, log appenders)
        settle(outputs);
        long threadsBefore = pumpThreads();
        long descriptorsBefore = openDescriptors().size();
        for (int restart = 2; restart <= RESTARTS; restart++) {
            runOnce(outputs, handled, restart);
        }
        settle(outputs);
        long threadsAfter = pumpThreads();
        List<String> open = openDescriptors();
        long descriptorsAfter = open.size();

        System.out.printf("virtsup-benchmark: output pump threads after 1 and %d restarts with a sleeper holding the"
                + " output: %d, %d; descriptors: %d, %d%n", RESTARTS, threadsBefore, threadsAfter,
                descriptorsBefore, descriptorsAfter);
        assertEquals(0, threadsBefore, "pump threads left behind by the first");
        assertEquals(0, threadsAfter, "pump threads left behind");
        // The process's own count moves with the JVM (class loading, other tests' threads):
        // printed above, but what must hold is that none of the read ends is still open.
        assertEquals(RESTARTS, readEnds.size());
        assertEquals(List.of(), open.stream().filter(readEnds::contains).toList(), "read ends left open");
        assertEquals(RESTARTS, handled.size(), "every exit handled");
        handled.forEach(exit -> assertEquals(new ExitStatus.Exited(3), exit.status()));
    }

    /** One daemon life: spawn, output, exit; its sleeper lives on with the output's write end. */
    private void runOnce(DaemonOutput outputs, List<ChildExit> handled, int count) throws Exception {
        Pipe output = posix.socketPair(); // as DaemonSpawner makes it
        readEnds.add(Files.readSymbolicLink(Path.of("/proc/self/fd/" + output.readFd())).toString());
        int pid = posix.spawn(new SpawnSpec("/bin/sh", List.of("sh", "-c", "sleep 300 & echo $!; exit 3"),
                Map.of("PATH", "/usr/bin:/bin"), -1, output.writeFd(), output.writeFd()));
        daemons.add(pid);
        posix.close(output.writeFd());
        onLoop(() -> {
            outputs.follow(Daemon.LIBVIRTD, pid, output.readFd());
            return null;
        });
        OutputTail tail = outputs.tail(Daemon.LIBVIRTD);
        ChildExit exit = awaitExit(pid);
        Eventually.until(() -> tail.last(1).size() == 1 && tail.last(1).get(0).strip().matches("[0-9]+")
                && !sleepers.contains(Integer.parseInt(tail.last(1).get(0).strip())),
                () -> "the sleeper's pid printed");
        sleepers.add(Integer.parseInt(tail.last(1).get(0).strip()));
        loop.post(() -> outputs.reaped(exit));
        Eventually.until(() -> handled.size() == count, Duration.ofSeconds(10), () -> "exit " + count + " handled");
    }

    /** Waits until DaemonOutput reads nothing more: the held exits are let go. */
    private void settle(DaemonOutput outputs) {
        Eventually.until(() -> {
            try {
                return onLoop(outputs::reading) == 0;
            } catch (Exception loopGone) {
                throw new IllegalStateException(loopGone);
            }
        }, Duration.ofSeconds(3), () -> "no output still read");
    }

    private ChildExit awaitExit(int pid) {
        while (true) {
            ChildExit exit = posix.waitAny();
            if (exit.pid() == pid) {
                return exit;
            }
        }
    }

    private <T> T onLoop(java.util.function.Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> result.complete(task.get()));
        return result.get(5, TimeUnit.SECONDS);
    }

    /** This test's pumps (other tests' fakes may leave theirs): named after our daemons' pids. */
    private long pumpThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(thread -> daemons.stream().anyMatch(pid -> thread.getName()
                        .equals("virtsup-output-libvirtd-" + pid))).count();
    }

    /** Where each open descriptor of this process points ("socket:[N]", "pipe:[N]", a path). */
    private static List<String> openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(DaemonOutputTest::target).filter(target -> !target.isEmpty()).toList();
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }
}

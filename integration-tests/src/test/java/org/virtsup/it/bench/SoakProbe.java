package org.virtsup.it.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.virtsup.it.bench.InContainerProbe.DaemonName;
import org.virtsup.it.bench.InContainerProbe.Proc;

/**
 * Runs inside the container, as a JVM of its own: kills virtlogd, then
 * libvirtd, with SIGKILL, cycle after cycle, each time waiting until virtsup
 * has a new process answering; every {@link #EVERY} cycles prints virtsup's
 * open descriptors, threads, resident memory and zombie children, as
 * {@code soak CYCLE FDS THREADS RSS_KB ZOMBIES}, cycle 0 being before the
 * first kill.
 *
 * <p>Arguments: VIRTSUP-PID CYCLES SETTLE-MS. A daemon is killed only once it
 * has answered for SETTLE-MS, longer than virtsup's restart-reset-after, so
 * that every kill is a first failure, restarted at once.
 */
public final class SoakProbe {
    static final int EVERY = 100;
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(60);

    private SoakProbe() {
    }

    public static void main(String[] args) throws Exception {
        int virtsup = Integer.parseInt(args[0]);
        int cycles = Integer.parseInt(args[1]);
        long settle = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
        long[] answering = new long[DaemonName.values().length];
        for (DaemonName name : DaemonName.values()) {
            answering[name.ordinal()] = InContainerProbe.awaitAnswer(name, System.nanoTime() + TIMEOUT);
        }
        report(0, virtsup);
        for (int cycle = 1; cycle <= cycles; cycle++) {
            for (DaemonName name : DaemonName.values()) {
                while (System.nanoTime() - answering[name.ordinal()] < settle) {
                    Thread.sleep(5);
                }
                answering[name.ordinal()] = killAndAwaitNext(name, virtsup);
            }
            if (cycle % EVERY == 0 || cycle == cycles) {
                report(cycle, virtsup);
            }
        }
    }

    /** Kills the daemon; returns when a new one answers. */
    private static long killAndAwaitNext(DaemonName name, int virtsup) {
        long deadline = System.nanoTime() + TIMEOUT;
        int old = InContainerProbe.awaitPid(name, -1, deadline);
        Set<String> before = InContainerProbe.pids();
        ProcessHandle.of(old).ifPresent(ProcessHandle::destroyForcibly); // kill(pid, SIGKILL)
        OptionalInt next = OptionalInt.empty();
        while (next.isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no new " + name.comm + " within 60 s after killing " + old);
            }
            if (!ProcessHandle.of(virtsup).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("virtsup (pid " + virtsup + ") is gone");
            }
            next = InContainerProbe.newDaemonPid(name, before);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return InContainerProbe.awaitAnswer(name, deadline);
    }

    private static void report(int cycle, int virtsup) throws IOException {
        Path proc = Path.of("/proc", Integer.toString(virtsup));
        long zombies = InContainerProbe.processes().stream()
                .filter(p -> p.parent() == virtsup && p.state() == 'Z').map(Proc::pid).count();
        System.out.printf("soak %d %d %d %d %d%n", cycle, count(proc.resolve("fd")), count(proc.resolve("task")),
                rssKb(proc), zombies);
    }

    private static long count(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        }
    }

    private static long rssKb(Path proc) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in " + proc.resolve("status"));
    }
}

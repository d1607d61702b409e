package org.virtsup.it.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmarks' stopwatch, run as its own JVM inside the container, next to
 * the daemons, so that no {@code docker exec} (tens of milliseconds) sits
 * inside a measured interval. It is neither the supervisor nor its child: it
 * may start processes with ProcessBuilder and signal the daemons by pid.
 *
 * <p>Prints one line per measurement, which {@link SupervisorBenchmarkIT} collects:
 * {@code sample KEY NANOSECONDS} (one repetition) or {@code value KEY NUMBER};
 * and {@code note TEXT}. Exits 1 with a message on stderr when a deadline passes.
 *
 * <p>Modes:
 * <ul>
 * <li>{@code first-start} — starts virtlogd then libvirtd by hand once, times the first start
 *     (libvirtd probes QEMU's capabilities), stops them;</li>
 * <li>{@code cold NAME ROUNDS} — launches one daemon by hand (virtlogd first, for libvirtd), times
 *     launch → new pid and launch → answering, stops it;</li>
 * <li>{@code raw-launch ROUNDS} — launches virtlogd, waits until it answers, launches libvirtd:
 *     launch → both answer;</li>
 * <li>{@code launch KEY ROUNDS SIGNAL ARGV...} — launches a supervisor: launch → both answer; then
 *     SIGNAL (TERM, HUP) to it, waits until it and the daemons are gone;</li>
 * <li>{@code await} — waits until both daemons answer;</li>
 * <li>{@code restart KEY NAME ROUNDS SETTLE_MS} — SIGKILL to the daemon, then times kill → old pid
 *     reaped, kill → new pid and kill → answering; before each kill, the daemon has been answering
 *     for SETTLE_MS (so that a supervisor's backoff has reset); a client connecting to the daemon's
 *     socket every 2 ms meanwhile counts its failed connects;</li>
 * <li>{@code bare-restart NAME ROUNDS SETTLE_MS} — the same for the daemon started by hand, which
 *     the probe starts again itself as soon as the killed one is reaped (key {@code raw});</li>
 * <li>{@code idle KEY PID[,PID...] SECONDS [--at-once]} — once the processes have been quiet for 2 s
 *     (at most 5 s: supervisord never is; or at once), their resident memory and their threads'
 *     context switches over SECONDS;</li>
 * <li>{@code resolution ROUNDS} — what one check costs: an answered exchange with each daemon, a
 *     scan of /proc;</li>
 * <li>{@code time ROUNDS KEY ARGV... [++ KEY ARGV...]} — wall time of ROUNDS runs of each command
 *     (after one unmeasured run), in turns, and their exit codes;</li>
 * <li>{@code reply ROUNDS SOCKET} — how long virtsup takes to answer a status request on its control
 *     socket, from this warm JVM (after one unmeasured exchange).</li>
 * </ul>
 */
public final class InContainerProbe {
    static final Path LIBVIRTD_SOCKET = Path.of("/run/libvirt/libvirt-sock");
    static final Path VIRTLOGD_ADMIN_SOCKET = Path.of("/run/libvirt/virtlogd-admin-sock");
    static final Path VIRTLOGD_SOCKET = Path.of("/run/libvirt/virtlogd-sock");
    static final String CONFIG_DIRECTORY = "/etc/virtsup-bench";
    static final String LOG_DIRECTORY = "/var/log/virtsup-bench";

    private static final long READY_TIMEOUT = TimeUnit.SECONDS.toNanos(60);
    private static final long STOP_TIMEOUT = TimeUnit.SECONDS.toNanos(30);
    /** Between two checks of a condition: short against what is measured, long enough not to eat a core of two. */
    /** Separates the commands of the {@code time} mode. */
    static final String NEXT_COMMAND = "++";
    private static final long PAUSE = TimeUnit.MICROSECONDS.toNanos(200);
    /** An idle supervisor: no context switch for this long before the idle window starts. */
    private static final long QUIET = TimeUnit.SECONDS.toNanos(2);
    private static final long QUIET_TIMEOUT = TimeUnit.SECONDS.toNanos(5);

    private InContainerProbe() {
    }

    enum DaemonName {
        VIRTLOGD("virtlogd"), LIBVIRTD("libvirtd");

        final String comm;

        DaemonName(String comm) {
            this.comm = comm;
        }

        static DaemonName of(String name) {
            return Arrays.stream(values()).filter(d -> d.comm.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no daemon " + name + ": libvirtd or virtlogd"));
        }

        /** How the benchmarks start it by hand: the files virtsup rendered, in the foreground. */
        List<String> command() {
            return List.of("/usr/sbin/" + comm, "-f", CONFIG_DIRECTORY + "/" + comm + ".conf");
        }

        /** The socket its clients connect to. */
        Path socket() {
            return this == LIBVIRTD ? LIBVIRTD_SOCKET : VIRTLOGD_SOCKET;
        }

        LibvirtRpc.Outcome answers(long timeoutNanos) {
            return this == LIBVIRTD ? LibvirtRpc.libvirtdAnswers(LIBVIRTD_SOCKET, timeoutNanos)
                    : LibvirtRpc.adminAnswers(VIRTLOGD_ADMIN_SOCKET, timeoutNanos);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (ProbeFailure e) {
            System.out.flush();
            System.err.println("probe: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        List<String> rest = List.of(args).subList(1, args.length);
        switch (args[0]) {
            case "first-start" -> firstStart();
            case "cold" -> cold(DaemonName.of(rest.get(0)), Integer.parseInt(rest.get(1)));
            case "raw-launch" -> rawLaunch(Integer.parseInt(rest.get(0)));
            case "launch" -> launch(rest.get(0), Integer.parseInt(rest.get(1)), rest.get(2),
                    rest.subList(3, rest.size()));
            case "await" -> {
                awaitAnswer(DaemonName.VIRTLOGD, System.nanoTime() + READY_TIMEOUT);
                awaitAnswer(DaemonName.LIBVIRTD, System.nanoTime() + READY_TIMEOUT);
            }
            case "bare-restart" -> bareRestart(DaemonName.of(rest.get(0)), Integer.parseInt(rest.get(1)),
                    Long.parseLong(rest.get(2)) * 1_000_000);
            case "restart" -> restart(rest.get(0), DaemonName.of(rest.get(1)), Integer.parseInt(rest.get(2)),
                    TimeUnit.MILLISECONDS.toNanos(Long.parseLong(rest.get(3))));
            case "resolution" -> resolution(Integer.parseInt(rest.get(0)));
            case "idle" -> idle(rest.get(0), rest.get(1), Integer.parseInt(rest.get(2)),
                    !rest.subList(3, rest.size()).contains("--at-once"));
            case "time" -> time(Integer.parseInt(rest.get(0)), rest.subList(1, rest.size()));
            case "reply" -> {
                for (int round = -1; round < Integer.parseInt(rest.get(0)); round++) {
                    long nanos = ControlReplyTimer.exchange(Path.of(rest.get(1)));
                    if (round >= 0) {
                        sample("reply.virtsup-status", nanos);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void firstStart() throws Exception {
        requireNoDaemons();
        long started = System.nanoTime();
        Process virtlogd = launchDaemon(DaemonName.VIRTLOGD);
        awaitAnswer(DaemonName.VIRTLOGD, started + READY_TIMEOUT);
        Process libvirtd = launchDaemon(DaemonName.LIBVIRTD);
        long answered = awaitAnswer(DaemonName.LIBVIRTD, started + READY_TIMEOUT);
        sample("first-start.both", answered - started);
        stop(libvirtd);
        stop(virtlogd);
    }

    private static void cold(DaemonName name, int rounds) throws Exception {
        requireNoDaemons();
        Process virtlogd = name == DaemonName.LIBVIRTD ? launchDaemon(DaemonName.VIRTLOGD) : null;
        if (virtlogd != null) {
            awaitAnswer(DaemonName.VIRTLOGD, System.nanoTime() + READY_TIMEOUT);
        }
        for (int round = 0; round < rounds; round++) {
            Set<String> before = pids();
            long started = System.nanoTime();
            Process daemon = launchDaemon(name);
            while (newDaemonPid(name, before).isEmpty()) {
                pauseUntil(started + READY_TIMEOUT, "a " + name.comm + " process exists");
            }
            sample("cold." + name.comm + ".pid", System.nanoTime() - started);
            long answered = awaitAnswer(name, started + READY_TIMEOUT);
            sample("cold." + name.comm + ".answer", answered - started);
            stop(daemon);
        }
        if (virtlogd != null) {
            stop(virtlogd);
        }
    }

    private static void rawLaunch(int rounds) throws Exception {
        requireNoDaemons();
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            Process virtlogd = launchDaemon(DaemonName.VIRTLOGD);
            awaitAnswer(DaemonName.VIRTLOGD, started + READY_TIMEOUT);
            Process libvirtd = launchDaemon(DaemonName.LIBVIRTD);
            long answered = awaitAnswer(DaemonName.LIBVIRTD, started + READY_TIMEOUT);
            sample("launch.raw", answered - started);
            stop(libvirtd);
            stop(virtlogd);
        }
    }

    private static void launch(String key, int rounds, String stopSignal, List<String> command) throws Exception {
        requireNoDaemons();
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            Process supervisor = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(LOG_DIRECTORY, key + ".log")))
                    .start();
            long virtlogd = awaitAnswer(DaemonName.VIRTLOGD, started + READY_TIMEOUT);
            long libvirtd = awaitAnswer(DaemonName.LIBVIRTD, started + READY_TIMEOUT);
            sample("launch." + key + ".supervisorCpu", cpuNanos((int) supervisor.pid()));
            sample("launch." + key + ".virtlogd", virtlogd - started);
            sample("launch." + key, libvirtd - started);
            int signalled = new ProcessBuilder("kill", "-s", stopSignal, Long.toString(supervisor.pid()))
                    .inheritIO().start().waitFor();
            if (signalled != 0 || !supervisor.waitFor(STOP_TIMEOUT, TimeUnit.NANOSECONDS)) {
                supervisor.destroyForcibly();
                throw new ProbeFailure(key + " (pid " + supervisor.pid() + ") did not exit after SIG" + stopSignal);
            }
            long deadline = System.nanoTime() + STOP_TIMEOUT;
            while (!daemons().isEmpty()) {
                pauseUntil(deadline, "the daemons of " + key + " have exited after it stopped: " + daemons());
            }
        }
    }

    /** What one check costs while both daemons run: an answered exchange with each, one scan of /proc. */
    private static void resolution(int rounds) {
        for (int round = 0; round < rounds; round++) {
            for (DaemonName name : DaemonName.values()) {
                long started = System.nanoTime();
                if (!(name.answers(READY_TIMEOUT) instanceof LibvirtRpc.Answered)) {
                    throw new ProbeFailure(name.comm + " does not answer");
                }
                sample("resolution." + name.comm + ".exchange", System.nanoTime() - started);
            }
            Set<String> before = pids();
            before.remove(Integer.toString(daemonPid(DaemonName.LIBVIRTD, -1).orElseThrow()));
            long started = System.nanoTime();
            if (newDaemonPid(DaemonName.LIBVIRTD, before).isEmpty()) {
                throw new ProbeFailure("no libvirtd in /proc");
            }
            sample("resolution.procScan", System.nanoTime() - started);
        }
        value("resolution.processes", processes().size());
    }

    private static void restart(String key, DaemonName name, int rounds, long settle) throws Exception {
        ConnectingClient client = new ConnectingClient(name.socket());
        try {
            killRounds(key, name, rounds, settle);
        } finally {
            client.stop();
        }
        connects(key, name, rounds, client);
    }

    /** The daemon started by hand, and by hand again as soon as it is killed and reaped. */
    private static void bareRestart(DaemonName name, int rounds, long settle) throws Exception {
        requireNoDaemons();
        Process virtlogd = name == DaemonName.LIBVIRTD ? launchDaemon(DaemonName.VIRTLOGD) : null;
        if (virtlogd != null) {
            awaitAnswer(DaemonName.VIRTLOGD, System.nanoTime() + READY_TIMEOUT);
        }
        Process daemon = launchDaemon(name);
        ConnectingClient client = new ConnectingClient(name.socket());
        try {
            for (int round = 0; round < rounds; round++) {
                long answering = awaitAnswer(name, System.nanoTime() + READY_TIMEOUT);
                while (System.nanoTime() - answering < settle) {
                    pauseUntil(answering + READY_TIMEOUT, name.comm + " has been answering for " + settle / 1_000_000
                            + " ms");
                }
                long killed = System.nanoTime();
                daemon.destroyForcibly(); // kill(pid, SIGKILL)
                daemon.waitFor();
                daemon = launchDaemon(name);
                sample("restart.raw." + name.comm + ".answer", awaitAnswer(name, killed + READY_TIMEOUT) - killed);
            }
        } finally {
            client.stop();
        }
        connects("raw", name, rounds, client);
        stop(daemon);
        if (virtlogd != null) {
            stop(virtlogd);
        }
    }

    private static void connects(String key, DaemonName name, int rounds, ConnectingClient client) {
        value("restart." + key + "." + name.comm + ".connectsFailed", client.failed());
        value("restart." + key + "." + name.comm + ".connects", client.attempts());
        value("restart." + key + "." + name.comm + ".kills", rounds);
    }

    private static void killRounds(String key, DaemonName name, int rounds, long settle) throws Exception {
        for (int round = 0; round < rounds; round++) {
            long deadline = System.nanoTime() + READY_TIMEOUT;
            long answering = awaitAnswer(name, deadline);
            while (System.nanoTime() - answering < settle) {
                pauseUntil(deadline, name.comm + " has been answering for " + settle / 1_000_000 + " ms");
            }
            int old = awaitPid(name, -1, deadline);
            ProcessHandle daemon = ProcessHandle.of(old)
                    .orElseThrow(() -> new ProbeFailure(name.comm + " (pid " + old + ") vanished before the kill"));
            int supervisor = readProc(Integer.toString(old)).map(Proc::parent)
                    .orElseThrow(() -> new ProbeFailure(name.comm + " (pid " + old + ") vanished before the kill"));
            long cpuBefore = cpuNanos(supervisor);
            Set<String> before = pids();
            long killed = System.nanoTime();
            daemon.destroyForcibly(); // kill(pid, SIGKILL)
            // Two things are watched at once: the old pid leaving /proc (its parent reaped it) and a new one.
            Path oldStat = Path.of("/proc", Integer.toString(old), "stat");
            long reaped = 0;
            OptionalInt found = OptionalInt.empty();
            while (found.isEmpty()) {
                if (reaped == 0 && !Files.exists(oldStat)) {
                    reaped = System.nanoTime();
                }
                found = newDaemonPid(name, before);
                if (found.isEmpty()) {
                    pauseUntil(killed + READY_TIMEOUT, "a " + name.comm + " process other than " + old + " exists");
                }
            }
            long newPid = System.nanoTime();
            long answered = awaitAnswer(name, killed + READY_TIMEOUT);
            long cpuAfter = cpuNanos(supervisor);
            if (reaped != 0) {
                sample("restart." + key + "." + name.comm + ".reaped", reaped - killed);
            }
            sample("restart." + key + "." + name.comm + ".supervisorCpu", cpuAfter - cpuBefore);
            sample("restart." + key + "." + name.comm + ".pid", newPid - killed);
            sample("restart." + key + "." + name.comm + ".answer", answered - killed);
            note(key + " restarted " + name.comm + ": pid " + old + " -> " + found.getAsInt());
        }
    }

    /** PIDS: one pid, or several separated by commas (runsvdir and its runsv processes), summed. */
    private static void idle(String key, String pids, int seconds, boolean whenQuiet) throws Exception {
        int[] all = Arrays.stream(pids.split(",")).mapToInt(Integer::parseInt).toArray();
        if (whenQuiet) {
            value("idle." + key + ".quietAfterMs", awaitQuiet(all) / 1_000_000);
        }
        long switchesBefore = 0;
        Map<String, Long> threadsBefore = new HashMap<>();
        for (int pid : all) {
            switchesBefore += contextSwitches(pid);
            threadsBefore.putAll(threadSwitches(pid));
        }
        long started = System.nanoTime();
        // The measurement window itself: nothing is awaited here, the processes are left alone this long.
        TimeUnit.SECONDS.sleep(seconds);
        long switchesAfter = 0;
        long rss = 0;
        long anon = 0;
        long threads = 0;
        Map<String, Long> threadsAfter = new HashMap<>();
        for (int pid : all) {
            switchesAfter += contextSwitches(pid);
            threadsAfter.putAll(threadSwitches(pid));
            Map<String, Long> fields = statusNumbers(Path.of("/proc", Integer.toString(pid), "status"));
            rss += fields.getOrDefault("VmRSS", 0L);
            anon += fields.getOrDefault("RssAnon", 0L);
            threads += fields.getOrDefault("Threads", 0L);
        }
        long elapsed = System.nanoTime() - started;
        value("idle." + key + ".VmRSS.kB", rss);
        value("idle." + key + ".RssAnon.kB", anon);
        value("idle." + key + ".threads", threads);
        value("idle." + key + ".processes", all.length);
        value("idle." + key + ".switches", switchesAfter - switchesBefore);
        value("idle." + key + ".windowMs", elapsed / 1_000_000);
        // Which threads woke up: what to look at when the number is not zero.
        threadsAfter.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> detail("idle." + key, e.getKey() + " woke " + e.getValue() + " times"));
    }

    /**
     * Waits until the processes have not run for {@link #QUIET} (their context
     * switches stayed the same), at most {@link #QUIET_TIMEOUT}: the work that
     * the previous measurement caused (a restart's timers, compilation) is then
     * over. Returns how long that took.
     */
    private static long awaitQuiet(int[] pids) throws IOException {
        long started = System.nanoTime();
        long lastChange = started;
        long last = -1;
        while (System.nanoTime() - lastChange < QUIET && System.nanoTime() - started < QUIET_TIMEOUT) {
            long switches = 0;
            for (int pid : pids) {
                switches += contextSwitches(pid);
            }
            if (switches != last) {
                last = switches;
                lastChange = System.nanoTime();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return System.nanoTime() - started;
    }

    /** Context switches per thread, keyed "pid/tid name" (the name is the thread's comm, at most 15 bytes). */
    static Map<String, Long> threadSwitches(int pid) throws IOException {
        Map<String, Long> switches = new HashMap<>();
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return switches;
        }
        for (File task : tasks) {
            try {
                Map<String, Long> fields = statusNumbers(task.toPath().resolve("status"));
                String name = Files.readString(task.toPath().resolve("comm")).trim();
                switches.put(pid + "/" + task.getName() + " " + name,
                        fields.getOrDefault("voluntary_ctxt_switches", 0L)
                                + fields.getOrDefault("nonvoluntary_ctxt_switches", 0L));
            } catch (IOException e) {
                // The thread ended between the listing and the read.
            }
        }
        return switches;
    }

    /**
     * Times several commands in turns (A B C A B C ...), so that a change in the
     * machine's load hits each of them alike. {@code parts}: KEY ARGV... groups
     * separated by {@value #NEXT_COMMAND}.
     */
    private static void time(int rounds, List<String> parts) throws Exception {
        Map<String, ProcessBuilder> commands = new java.util.LinkedHashMap<>();
        List<String> group = new ArrayList<>();
        for (String part : concatSeparator(parts)) {
            if (part.equals(NEXT_COMMAND)) {
                commands.put(group.get(0), new ProcessBuilder(group.subList(1, group.size())).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD));
                group = new ArrayList<>();
            } else {
                group.add(part);
            }
        }
        Map<String, Map<Integer, Integer>> exitCodes = new HashMap<>();
        for (ProcessBuilder builder : commands.values()) {
            builder.start().waitFor(); // unmeasured: fills the page cache
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, ProcessBuilder> command : commands.entrySet()) {
                long started = System.nanoTime();
                int exit = command.getValue().start().waitFor();
                long ended = System.nanoTime();
                sample("time." + command.getKey(), ended - started);
                exitCodes.computeIfAbsent(command.getKey(), key -> new HashMap<>()).merge(exit, 1, Integer::sum);
            }
        }
        exitCodes.forEach((key, codes) -> codes.forEach((code, count) -> value("time." + key + ".exit" + code,
                count)));
    }

    private static List<String> concatSeparator(List<String> parts) {
        List<String> all = new ArrayList<>(parts);
        all.add(NEXT_COMMAND);
        return all;
    }

    /**
     * CPU time used so far by pid, in nanoseconds: utime + stime of
     * /proc/PID/stat, which keeps the time of threads that already ended (a
     * sum over /proc/PID/task loses it: virtsup's output pumps end at every
     * restart, and the per-restart figure came out negative). In clock ticks
     * of 10 ms (USER_HZ is 100 on Linux whatever the kernel's HZ), fine enough
     * for the hundreds of ms measured and for averages over many restarts.
     */
    static long cpuNanos(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            throw new ProbeFailure("no process " + pid);
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
        return ticks * 10_000_000L;
    }

    /** Sum of voluntary and involuntary context switches of every thread of pid: how often it woke up. */
    static long contextSwitches(int pid) throws IOException {
        long total = 0;
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            throw new ProbeFailure("no process " + pid);
        }
        for (File task : tasks) {
            try {
                Map<String, Long> fields = statusNumbers(task.toPath().resolve("status"));
                total += fields.getOrDefault("voluntary_ctxt_switches", 0L)
                        + fields.getOrDefault("nonvoluntary_ctxt_switches", 0L);
            } catch (IOException e) {
                // The thread ended between the listing and the read.
            }
        }
        return total;
    }

    private static Map<String, Long> statusNumbers(Path status) throws IOException {
        Map<String, Long> fields = new HashMap<>();
        for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] words = line.substring(colon + 1).trim().split("\\s+");
            if (words.length > 0 && words[0].matches("\\d+")) {
                fields.put(line.substring(0, colon), Long.parseLong(words[0]));
            }
        }
        return fields;
    }

    private static Process launchDaemon(DaemonName name) throws IOException {
        return new ProcessBuilder(name.command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(LOG_DIRECTORY, "raw-" + name.comm + ".log")))
                .start();
    }

    /** SIGTERM, then waits for the exit (SIGKILL and a failure after the stop timeout). */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT, TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new ProbeFailure("pid " + process.pid() + " " + process.info().command().orElse("")
                    + " ignored SIGTERM for " + STOP_TIMEOUT / 1_000_000_000 + " s");
        }
    }

    private static void requireNoDaemons() {
        List<Proc> left = daemons();
        if (!left.isEmpty()) {
            throw new ProbeFailure("daemons are already running: " + left);
        }
    }

    /** The moment the daemon answered; checks again and again until the deadline. */
    static long awaitAnswer(DaemonName name, long deadline) {
        while (true) {
            LibvirtRpc.Outcome outcome = name.answers(Math.max(1, deadline - System.nanoTime()));
            if (outcome instanceof LibvirtRpc.Answered) {
                return System.nanoTime();
            }
            LibvirtRpc.NotAnswered not = (LibvirtRpc.NotAnswered) outcome;
            pauseUntil(deadline, name.comm + " answers (last: " + not.why() + ")");
        }
    }

    /** The pid of the running daemon other than {@code excluded} (-1: any), as soon as /proc shows it. */
    static int awaitPid(DaemonName name, int excluded, long deadline) {
        while (true) {
            OptionalInt pid = daemonPid(name, excluded);
            if (pid.isPresent()) {
                return pid.getAsInt();
            }
            pauseUntil(deadline, "a " + name.comm + " process other than " + excluded + " exists");
        }
    }

    private static void pauseUntil(long deadline, String what) {
        if (System.nanoTime() - deadline >= 0) {
            throw new ProbeFailure("timed out waiting until " + what);
        }
        LockSupport.parkNanos(PAUSE);
    }

    /** One line of /proc/PID/stat: comm (between the first '(' and the last ')'), state, parent. */
    record Proc(int pid, String comm, char state, int parent) {
    }

    static Optional<Proc> readProc(String pid) {
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc", pid, "stat")), StandardCharsets.UTF_8);
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String[] after = stat.substring(close + 2).split(" ", 3);
            return Optional.of(new Proc(Integer.parseInt(pid), stat.substring(open + 1, close), after[0].charAt(0),
                    Integer.parseInt(after[1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone between the listing and the read
        }
    }

    /** The pids in /proc now. */
    static Set<String> pids() {
        String[] names = new File("/proc").list();
        Set<String> pids = new HashSet<>();
        if (names != null) {
            for (String name : names) {
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    pids.add(name);
                }
            }
        }
        return pids;
    }

    /**
     * A daemon process that was not in /proc at {@code before}: only the new
     * pids are read, so that one check costs a listing of /proc and a read or
     * two, not a read of every process's stat.
     */
    static OptionalInt newDaemonPid(DaemonName name, Set<String> before) {
        for (String pid : pids()) {
            if (before.contains(pid)) {
                continue;
            }
            Optional<Proc> proc = readProc(pid).filter(p -> p.comm().equals(name.comm) && p.state() != 'Z');
            if (proc.isPresent() && !readProc(Integer.toString(proc.get().parent())).map(Proc::comm).orElse("")
                    .equals(name.comm)) {
                return OptionalInt.of(proc.get().pid());
            }
        }
        return OptionalInt.empty();
    }

    static List<Proc> processes() {
        String[] names = new File("/proc").list();
        List<Proc> all = new ArrayList<>();
        if (names != null) {
            for (String name : names) {
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    readProc(name).ifPresent(all::add);
                }
            }
        }
        return all;
    }

    /**
     * A live daemon process: its comm, not a zombie, and not a child of the
     * same daemon (libvirtd's own children carry its name between fork and exec).
     */
    static OptionalInt daemonPid(DaemonName name, int excluded) {
        List<Proc> all = processes();
        Map<Integer, Proc> byPid = new HashMap<>();
        all.forEach(p -> byPid.put(p.pid(), p));
        return all.stream()
                .filter(p -> p.comm().equals(name.comm) && p.state() != 'Z' && p.state() != 'X' && p.pid() != excluded)
                .filter(p -> !Optional.ofNullable(byPid.get(p.parent())).map(Proc::comm).orElse("").equals(name.comm))
                .mapToInt(Proc::pid).min();
    }

    private static List<Proc> daemons() {
        return processes().stream()
                .filter(p -> (p.comm().equals("libvirtd") || p.comm().equals("virtlogd")) && p.state() != 'Z')
                .toList();
    }

    private static void sample(String key, long nanos) {
        System.out.println("sample " + key + " " + nanos);
    }

    private static void value(String key, long number) {
        System.out.println("value " + key + " " + number);
    }

    private static void detail(String key, String text) {
        System.out.println("detail " + key + " " + text);
    }

    private static void note(String text) {
        System.out.println("note " + text);
    }

    static final class ProbeFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProbeFailure(String message) {
            super(message);
        }
    }
}

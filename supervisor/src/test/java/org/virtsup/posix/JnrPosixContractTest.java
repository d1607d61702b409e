package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract against the kernel, with real programs (/bin/sh, /bin/cat,
 * /bin/sleep, python3 for the lock) and real files; plus what only the kernel
 * can show: what the child inherits (descriptors, signal mask and
 * dispositions, process group) and re-parenting to a subreaper.
 */
class JnrPosixContractTest extends PosixContract {
    private static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");
    private static final String PYTHON = "/usr/bin/python3";

    private Path scratchPath;
    private final List<KernelInbox> inboxes = new ArrayList<>();

    @Override
    protected Posix createPosix() {
        return new JnrPosix();
    }

    @Override
    protected String newScratchDirectory() {
        try {
            scratchPath = Files.createTempDirectory("virtsup-posix-");
            return scratchPath.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void removeScratch() throws IOException {
        try (Stream<Path> tree = Files.walk(scratchPath)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Override
    protected void createFile(String path, int mode) {
        try {
            Files.createFile(Path.of(path));
            Files.setPosixFilePermissions(Path.of(path), PosixFilePermissions.fromString(permissionString(mode)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void createSocket(String path) {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path)); // the socket file outlives the channel
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Inbox receiveDatagramsAt(String address) {
        KernelInbox inbox = KernelInbox.bind(address);
        inboxes.add(inbox);
        return inbox::next;
    }

    @AfterEach
    void closeInboxes() {
        inboxes.forEach(KernelInbox::close);
    }

    @Override
    protected SpawnSpec exitingWith(int code) {
        return sh("exit " + code);
    }

    @Override
    protected SpawnSpec runningUntilSignalled() {
        return new SpawnSpec("/bin/sleep", List.of("sleep", "600"), ENVIRONMENT, -1, -1, -1);
    }

    @Override
    protected SpawnSpec ignoringTerm() {
        // An ignored disposition survives exec: the sleep ignores TERM too.
        return sh("trap '' TERM; exec /bin/sleep 600");
    }

    @Override
    protected void awaitIgnoringTerm(int pid) {
        await("pid " + pid + " ignores SIGTERM", () -> (signalSet(pid, "SigIgn") & bit(Signals.TERM)) != 0);
    }

    @Override
    protected SpawnSpec printing(String text) {
        Path file = scratchPath.resolve("printed-" + Integer.toHexString(text.hashCode()));
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SpawnSpec("/bin/cat", List.of("cat", file.toString()), ENVIRONMENT, -1, -1, -1);
    }

    @Override
    protected String existingGroupName() {
        return firstNonRootGroup()[0];
    }

    @Override
    protected int existingGroupId() {
        return Integer.parseInt(firstNonRootGroup()[2]);
    }

    /** From /proc/self/status ("Groups:"), which the kernel fills from the same credentials. */
    @Override
    protected int[] expectedGroups() {
        try {
            String groups = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Groups:")).findFirst().orElseThrow()
                    .substring("Groups:".length()).strip();
            return groups.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(groups.split("\\s+")).mapToInt(Integer::parseInt).toArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected int expectedPid() {
        return (int) ProcessHandle.current().pid();
    }

    /**
     * python3's fcntl.lockf takes a POSIX record lock with fcntl(F_SETLK),
     * here on byte 0 for one byte, exactly as libvirt's virPidFileAcquirePath
     * does; flock(1) would not do: flock(2) locks are invisible to F_GETLK.
     */
    @Override
    protected int spawnLockHolder(String path) {
        requireTool(PYTHON, "to hold a POSIX lock");
        String script = "import fcntl, os, sys, time\n"
                + "f = open(sys.argv[1], 'r+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)\n"
                + "os.write(1, b'locked\\n')\n"
                + "time.sleep(600)\n";
        Pipe pipe = posix.pipe();
        int pid = posix.spawn(new SpawnSpec(PYTHON, List.of("python3", "-c", script, path), ENVIRONMENT,
                -1, pipe.writeFd(), 2));
        posix.close(pipe.writeFd());
        assertEquals("locked\n", readLine(pipe.readFd()), "python3 did not report the lock taken");
        posix.close(pipe.readFd());
        return pid;
    }

    @Override
    protected boolean hasOtherChildren() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (!Files.readString(task.resolve("children")).isBlank()) {
                        return true;
                    }
                } catch (NoSuchFileException threadEnded) {
                    // a thread that ended while listing
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ only the kernel can show these

    @Test
    void theChildGetsExactlyDescriptorsZeroToTwo() throws IOException {
        assertChildGetsExactlyStdio(posix);
    }

    @Test
    void theChildGetsExactlyDescriptorsZeroToTwoWithoutCloseFrom() throws IOException {
        assertChildGetsExactlyStdio(new JnrPosix(false));
    }

    /**
     * A failed exec must not leave a held socket inheritable: every later
     * spawn would hand it to the child unasked. The kernel's own word on it:
     * /proc/self/fdinfo's flags, O_CLOEXEC being 02000000.
     */
    @Test
    void aFailedExecInPlaceLeavesTheInheritedDescriptorsCloseOnExecAgain() throws IOException {
        Pipe pipe = posix.pipe();
        try {
            assertTrue(closeOnExec(pipe.readFd()));
            PosixException failure = org.junit.jupiter.api.Assertions.assertThrows(PosixException.class,
                    () -> posix.execInPlace("/nonexistent/virtsup", List.of("virtsup"), List.of(),
                            Set.of(pipe.readFd()), Set.of()));
            assertEquals(Errno.ENOENT, failure.errno());
            assertTrue(closeOnExec(pipe.readFd()), "fd " + pipe.readFd() + " left inheritable");
        } finally {
            posix.close(pipe.readFd());
            posix.close(pipe.writeFd());
        }
    }

    private static boolean closeOnExec(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).trim(), 8) & 02000000) != 0;
            }
        }
        throw new IOException("no flags in /proc/self/fdinfo/" + fd);
    }

    @Test
    void usesGlibcsCloseFromWhereItExists() {
        // Debian bookworm has glibc 2.36; closefrom arrived in 2.34.
        assertTrue(((JnrPosix) posix).closesWithCloseFrom(), "posix_spawn_file_actions_addclosefrom_np not found");
    }

    private void assertChildGetsExactlyStdio(Posix spawner) throws IOException {
        Pipe output = spawner.pipe();
        Pipe inheritable = spawner.pipe();
        TestLibC.get().fcntl(inheritable.readFd(), TestLibC.F_SETFD, 0); // clears close-on-exec
        try {
            Set<Integer> leakable = descriptorsWithoutCloseOnExec();
            assertTrue(leakable.contains(inheritable.readFd()), "witness " + inheritable.readFd() + " in " + leakable);

            int pid = spawner.spawn(runningUntilSignalled().withStdio(-1, output.writeFd(), output.writeFd()));
            ours.add(pid);
            Path fds = Path.of("/proc/" + pid + "/fd");
            assertEquals(Set.of(0, 1, 2), settledDescriptorsIn(fds), "the JVM had " + leakable + " open without close-on-exec");
            assertEquals("/dev/null", Files.readSymbolicLink(fds.resolve("0")).toString());
            Path ourPipe = Files.readSymbolicLink(Path.of("/proc/self/fd/" + output.writeFd()));
            assertEquals(ourPipe, Files.readSymbolicLink(fds.resolve("1")));
            assertEquals(ourPipe, Files.readSymbolicLink(fds.resolve("2")));
        } finally {
            for (int fd : new int[] {output.readFd(), output.writeFd(), inheritable.readFd(), inheritable.writeFd()}) {
                spawner.close(fd);
            }
        }
    }

    /** Sources among 0-2 that land on another of 0-2 must not overwrite each other. */
    @Test
    void theParentsOwnStdioCanBeHandedOnCrossed() throws IOException {
        Path parentOut = Files.readSymbolicLink(Path.of("/proc/self/fd/1"));
        Path parentErr = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
        assumeTrue(!parentOut.equals(parentErr), "this JVM's stdout and stderr are the same file: " + parentOut);
        Pipe pipe = posix.pipe();
        try {
            int pid = spawn(runningUntilSignalled().withStdio(pipe.readFd(), 2, 1));
            Path fds = Path.of("/proc/" + pid + "/fd");
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + pipe.readFd())),
                    Files.readSymbolicLink(fds.resolve("0")));
            assertEquals(parentErr, Files.readSymbolicLink(fds.resolve("1")));
            assertEquals(parentOut, Files.readSymbolicLink(fds.resolve("2")));
            assertEquals(Set.of(0, 1, 2), settledDescriptorsIn(fds));

            int straight = spawn(runningUntilSignalled().withStdio(-1, 1, 2));
            Path straightFds = Path.of("/proc/" + straight + "/fd");
            assertEquals(parentOut, Files.readSymbolicLink(straightFds.resolve("1")));
            assertEquals(parentErr, Files.readSymbolicLink(straightFds.resolve("2")));
        } finally {
            posix.close(pipe.readFd());
            posix.close(pipe.writeFd());
        }
    }

    @Test
    void passedSocketsArriveFromThreeOnInTheirOrderAndNothingElse() throws IOException {
        assertChildGetsPassedSockets(posix);
    }

    @Test
    void passedSocketsArriveFromThreeOnWithoutCloseFrom() throws IOException {
        assertChildGetsPassedSockets(new JnrPosix(false));
    }

    /**
     * The socket goes to 3 and this JVM's own fd 3 (whatever it is) to 4: the
     * copy onto 3 must not overwrite the fd 3 still to be copied onto 4.
     */
    private void assertChildGetsPassedSockets(Posix spawner) throws IOException {
        Path ourThree = Files.readSymbolicLink(Path.of("/proc/self/fd/3"));
        int socket = spawner.listenUnix(scratch + "/first", 16);
        Pipe inheritable = spawner.pipe();
        TestLibC.get().fcntl(inheritable.readFd(), TestLibC.F_SETFD, 0); // clears close-on-exec
        try {
            int pid = spawner.spawn(runningUntilSignalled().withPassed(List.of(socket, 3)));
            ours.add(pid);
            Path fds = Path.of("/proc/" + pid + "/fd");
            assertEquals(Set.of(0, 1, 2, 3, 4), settledDescriptorsIn(fds));
            assertEquals("socket:[" + spawner.socketInode(socket) + "]", Files.readSymbolicLink(fds.resolve("3")).toString());
            assertEquals(ourThree, Files.readSymbolicLink(fds.resolve("4")));
            String flags = Files.readString(Path.of("/proc/" + pid + "/fdinfo/3")).lines()
                    .filter(line -> line.startsWith("flags:")).findFirst().orElseThrow();
            assertFalse(closeOnExec(flags), "fd 3 of the child must survive its next exec: " + flags);
        } finally {
            for (int fd : new int[] {socket, inheritable.readFd(), inheritable.writeFd()}) {
                spawner.close(fd);
            }
        }
    }

    /** O_CLOEXEC (02000000) in an fdinfo "flags:" line, which is octal. */
    private static boolean closeOnExec(String flagsLine) {
        return (Long.parseLong(flagsLine.replaceAll("\\D", ""), 8) & 02000000) != 0;
    }

    /** The exec-in-place step a daemon is started through: LISTEN_PID is the pid the daemon keeps. */
    @Test
    void anExecInPlaceStepKeepsThePidAndThePassedSockets() {
        int socket = posix.listenUnix(scratch + "/sock", 16);
        Pipe pipe = posix.pipe();
        try {
            int pid = spawn(new SpawnSpec("/bin/sh", List.of("sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"",
                    "/bin/sh", "-c", "echo $$ $LISTEN_PID $(readlink /proc/$$/fd/3)"),
                    Map.of("LISTEN_FDS", "1"), -1, pipe.writeFd(), -1, List.of(socket)));
            posix.close(pipe.writeFd());
            String output = readAll(pipe.readFd()).strip();
            assertEquals(new ExitStatus.Exited(0), awaitExit(pid).status());
            assertEquals(pid + " " + pid + " socket:[" + posix.socketInode(socket) + "]", output);
        } finally {
            posix.close(pipe.readFd());
            posix.close(socket);
        }
    }

    @Test
    void theChildStartsWithNoBlockedOrIgnoredSignals() {
        TestLibC libc = TestLibC.get();
        long[] blocked = new long[16]; // a whole glibc sigset_t
        blocked[0] = bit(Signals.TERM) | bit(Signals.INT) | bit(Signals.HUP);
        long[] previousMask = new long[16];
        long previousAlarm = libc.signal(Signals.ALRM, TestLibC.SIG_IGN);
        assertEquals(0, libc.pthread_sigmask(TestLibC.SIG_BLOCK, blocked, previousMask));
        try {
            assertTrue((signalSetOf(Path.of("/proc/thread-self/status"), "SigBlk") & blocked[0]) == blocked[0],
                    "this thread blocks TERM, INT and HUP");
            assertTrue((signalSetOf(Path.of("/proc/self/status"), "SigIgn") & bit(Signals.ALRM)) != 0,
                    "this process ignores ALRM");

            int pid = spawn(runningUntilSignalled());
            assertEquals(0L, signalSet(pid, "SigBlk"), "blocked signals of the child");
            assertEquals(0L, signalSet(pid, "SigIgn"), "ignored signals of the child");
            assertEquals(0L, signalSet(pid, "SigPnd"), "pending signals of the child");
        } finally {
            libc.pthread_sigmask(TestLibC.SIG_SETMASK, previousMask, null);
            libc.signal(Signals.ALRM, previousAlarm);
        }
    }

    @Test
    void theChildLeadsItsOwnProcessGroup() throws IOException {
        int pid = spawn(runningUntilSignalled());
        int group = Integer.parseInt(statField(pid, 5));
        assertEquals(pid, group);
        assertNotEquals(Integer.parseInt(statField(posix.getpid(), 5)), group);
    }

    @Test
    void theChildGetsExactlyItsArgumentsAndEnvironment() {
        Pipe pipe = posix.pipe();
        int pid = spawn(new SpawnSpec("/bin/sh", List.of("sh", "-c", "printf '%s|' \"$0\" \"$@\"; env", "zero", "a", "b c", ""),
                Map.of("A", "1", "B", "two words", "C", "é"), -1, pipe.writeFd(), -1));
        posix.close(pipe.writeFd());
        String output = readAll(pipe.readFd());
        posix.close(pipe.readFd());
        assertEquals(new ExitStatus.Exited(0), awaitExit(pid).status());
        String[] parts = output.split("\\|", -1);
        assertEquals(List.of("zero", "a", "b c", ""), Arrays.asList(parts).subList(0, 4));
        Set<String> environment = new TreeSet<>(Arrays.asList(parts[4].strip().split("\n")));
        environment.remove("PWD=" + System.getProperty("user.dir")); // the shell adds its working directory
        assertEquals(new TreeSet<>(List.of("A=1", "B=two words", "C=é")), environment);
    }

    @Test
    void stdoutAndStderrCanShareAPipe() {
        Pipe pipe = posix.pipe();
        int pid = spawn(sh("echo out; echo err >&2").withStdio(-1, pipe.writeFd(), pipe.writeFd()));
        posix.close(pipe.writeFd());
        assertEquals("out\nerr\n", readAll(pipe.readFd()));
        posix.close(pipe.readFd());
        awaitExit(pid);
    }

    @Test
    void mkdirsNamesTheDirectoryAndErrnoOnFailure() {
        String tooLong = scratch + "/" + "x".repeat(300);
        PosixException failure = assertFails(Errno.ENAMETOOLONG, () -> posix.mkdirs(tooLong + "/below", 0755));
        assertEquals("mkdir " + tooLong + ": ENAMETOOLONG", failure.getMessage());
    }

    @Test
    void pathsAreUtf8AsTheJvmSeesThem() {
        String directory = scratch + "/données-✓";
        posix.mkdirs(directory, 0755);
        assertTrue(posix.stat(directory).directory());
        // Under LANG=C the JVM's file names are ASCII and cannot name it at all.
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "the JVM's file name encoding is " + System.getProperty("sun.jnu.encoding"));
        assertTrue(Files.isDirectory(Path.of(directory)), "the JVM sees another name than libc made");
    }

    /**
     * The oracle: virtlogd itself, started in a mount namespace of its own
     * with a private /run (so that it cannot meet a virtlogd of the host),
     * locks its pid file; lockHolder must name it.
     */
    @Test
    void lockHolderNamesAVirtlogdHoldingItsPidFile() {
        requireTool("/usr/sbin/virtlogd", "as the oracle for pid file locks");
        requireTool("/usr/bin/unshare", "to give virtlogd a private /run");
        assumeTrue(posix.geteuid() == 0, "a private mount namespace needs root");
        String pidFile = scratch + "/virtlogd.pid";
        int pid = spawn(new SpawnSpec("/usr/bin/unshare", List.of("unshare", "--mount", "/bin/sh", "-c",
                "mount -t tmpfs tmpfs /run && exec /usr/sbin/virtlogd --pid-file \"$0\"", pidFile),
                ENVIRONMENT, -1, -1, 2));
        await("virtlogd locks " + pidFile, () -> posix.lockHolder(pidFile).isPresent());
        assertEquals(java.util.OptionalInt.of(pid), posix.lockHolder(pidFile));
        posix.kill(pid, Signals.TERM);
        // virtlogd locks its pid file before it installs its signal handlers:
        // TERM then ends it by the default action instead of a clean exit.
        ExitStatus status = awaitExit(pid).status();
        assertTrue(status.equals(new ExitStatus.Exited(0)) || status.equals(new ExitStatus.Killed(Signals.TERM, false)),
                status.describe());
        assertEquals(java.util.OptionalInt.empty(), posix.lockHolder(pidFile));
    }

    /**
     * As a subreaper, this process adopts the orphaned grandchild (here a
     * sleep whose shell has exited) and reaps it. Once set, it stays set for
     * the rest of this test JVM, which only matters to orphans of its own
     * children.
     */
    @Test
    void aSubreaperAdoptsAndReapsOrphanedGrandchildren() throws IOException {
        posix.becomeChildSubreaper();
        Pipe pipe = posix.pipe();
        int shell = spawn(sh("/bin/sleep 600 & echo $!").withStdio(-1, pipe.writeFd(), -1));
        posix.close(pipe.writeFd());
        int grandchild = Integer.parseInt(readLine(pipe.readFd()).strip());
        posix.close(pipe.readFd());
        ours.add(grandchild);
        assertEquals(new ExitStatus.Exited(0), awaitExit(shell).status());
        await("the orphan is re-parented to this process",
                () -> Integer.parseInt(statFieldOrZero(grandchild, 4)) == posix.getpid());
        posix.kill(grandchild, Signals.KILL);
        assertEquals(new ExitStatus.Killed(Signals.KILL, false), awaitExit(grandchild).status());
    }

    /** Prints numbers; asserts nothing about them. */
    @Test
    void benchmarkSpawnAndReap() {
        SpawnSpec trueSpec = new SpawnSpec("/bin/true", List.of("true"), Map.of(), -1, -1, -1);
        for (int i = 0; i < 10; i++) { // warm up the bindings and the JIT
            awaitExit(spawn(trueSpec));
        }
        int runs = 50;
        long[] spawnNanos = new long[runs];
        long[] reapNanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            int pid = spawn(trueSpec);
            long spawned = System.nanoTime();
            ChildExit exit = awaitExit(pid);
            long reaped = System.nanoTime();
            assertEquals(new ExitStatus.Exited(0), exit.status());
            spawnNanos[i] = spawned - start;
            reapNanos[i] = reaped - spawned;
        }
        System.out.printf("BENCHMARK posix spawn /bin/true: median %.3f ms, spawn return to waitAny return:"
                        + " median %.3f ms (%d runs, closefrom %s)%n",
                median(spawnNanos) / 1e6, median(reapNanos) / 1e6, runs,
                ((JnrPosix) posix).closesWithCloseFrom());
    }

    /**
     * As the supervisor runs: a reaper thread already blocked in waitAny (kept
     * there by an anchor child) while another thread spawns. Prints the time
     * from spawn's return to the reaper's wake-up; asserts nothing about it.
     */
    @Test
    void benchmarkBlockedReaperLatency() throws Exception {
        int anchor = spawn(runningUntilSignalled());
        java.util.concurrent.BlockingQueue<long[]> reaped = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reaper = new Thread(() -> {
            while (true) {
                ChildExit exit = posix.waitAny();
                reaped.add(new long[] {System.nanoTime(), exit.pid()});
                if (exit.pid() == anchor) {
                    return;
                }
            }
        }, "reaper");
        reaper.setDaemon(true);
        reaper.start();
        SpawnSpec trueSpec = new SpawnSpec("/bin/true", List.of("true"), Map.of(), -1, -1, -1);
        int runs = 50;
        long[] latencies = new long[runs];
        for (int i = -10; i < runs; i++) { // the first ten warm up
            int pid = posix.spawn(trueSpec);
            long spawned = System.nanoTime();
            long[] report = reaped.poll(DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(pid, report == null ? -1 : (int) report[1], "the reaper did not report the child");
            if (i >= 0) {
                latencies[i] = report[0] - spawned;
            }
        }
        long[] killLatencies = new long[runs];
        for (int i = 0; i < runs; i++) {
            int pid = posix.spawn(runningUntilSignalled());
            long killed = System.nanoTime();
            posix.kill(pid, Signals.KILL);
            long[] report = reaped.poll(DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(pid, report == null ? -1 : (int) report[1], "the reaper did not report the child");
            killLatencies[i] = report[0] - killed;
        }
        System.out.printf("BENCHMARK blocked reaper: kill -KILL to waitAny return in another thread:"
                + " median %.3f ms (%d runs of /bin/sleep)%n", median(killLatencies) / 1e6, runs);
        posix.kill(anchor, Signals.KILL);
        reaper.join(DEADLINE.toMillis());
        ours.remove(Integer.valueOf(anchor));
        System.out.printf("BENCHMARK blocked reaper: spawn return to waitAny return in another thread:"
                + " median %.3f ms (%d runs of /bin/true)%n", median(latencies) / 1e6, runs);
    }

    // ------------------------------------------------------------------ helpers

    /** Skips without the tool, but fails when the full test run (VIRTSUP_FULL_TESTS=1) was asked for. */
    private static void requireTool(String path, String purpose) {
        if (Files.isExecutable(Path.of(path))) {
            return;
        }
        String message = path + " is needed " + purpose + " and is not installed";
        if ("1".equals(System.getenv("VIRTSUP_FULL_TESTS"))) {
            throw new AssertionError(message + " (VIRTSUP_FULL_TESTS=1)");
        }
        assumeTrue(false, message);
    }

    private static SpawnSpec sh(String script) {
        return new SpawnSpec("/bin/sh", List.of("sh", "-c", script), ENVIRONMENT, -1, -1, -1);
    }

    private String readLine(int fd) {
        StringBuilder line = new StringBuilder();
        byte[] one = new byte[1];
        while (posix.read(fd, one) == 1) {
            line.append((char) one[0]);
            if (one[0] == '\n') {
                break;
            }
        }
        return line.toString();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long bit(int signal) {
        return 1L << (signal - 1);
    }

    private static long signalSet(int pid, String field) {
        return signalSetOf(Path.of("/proc/" + pid + "/status"), field);
    }

    private static long signalSetOf(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
                }
            }
            throw new AssertionError(field + " not in " + status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Field {@code n} (1-based, as in proc(5)) of /proc/pid/stat; the command name may hold spaces. */
    private static String statField(int pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return afterName[n - 3];
    }

    private static String statFieldOrZero(int pid, int n) {
        try {
            return statField(pid, n);
        } catch (IOException e) {
            return "0";
        }
    }

    /**
     * The child's descriptors once its start-up is over: right after exec the
     * dynamic loader briefly holds a library open (as fd 3). A leaked descriptor
     * stays for good, so polling until only 0-2 remain (up to a deadline) still
     * catches every leak.
     */
    private static Set<Integer> settledDescriptorsIn(Path directory) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Integer> seen = descriptorsIn(directory);
        while (!seen.equals(Set.of(0, 1, 2)) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            seen = descriptorsIn(directory);
        }
        return seen;
    }

    private static Set<Integer> descriptorsIn(Path directory) throws IOException {
        Set<Integer> fds = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        }
        return fds;
    }

    private static Set<Integer> descriptorsWithoutCloseOnExec() throws IOException {
        Set<Integer> open = new TreeSet<>();
        List<Path> infos = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            entries.forEach(infos::add);
        }
        for (Path info : infos) {
            int fd = Integer.parseInt(info.getFileName().toString());
            try {
                for (String line : Files.readAllLines(info)) {
                    if (line.startsWith("flags:") && (Integer.parseInt(line.substring(6).strip(), 8) & 02000000) == 0
                            && fd > 2) {
                        open.add(fd);
                    }
                }
            } catch (NoSuchFileException closedMeanwhile) {
                // the directory stream's own descriptor, or one closed by another thread
            }
        }
        return open;
    }

    private static String[] firstNonRootGroup() {
        try {
            return Files.readAllLines(Path.of("/etc/group")).stream()
                    .map(line -> line.split(":", -1))
                    .filter(fields -> fields.length >= 3 && !fields[2].equals("0"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("/etc/group has no group besides root"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String permissionString(int mode) {
        StringBuilder text = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            text.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        }
        return text.toString();
    }

    /**
     * The exec window as the kernel sees it: a signal sent while it is blocked
     * and ignored (as {@code execInPlace} leaves the held ones) waits, and
     * {@code takeBackSignals} delivers it to the handler it installs.
     */
    @Test
    void aSignalThatCameWhileHeldReachesTheHandlerInstalledWhenTakenBack() throws InterruptedException {
        TestLibC libc = TestLibC.get();
        long[] usr1 = signalSet(Signals.USR1);
        long[] before = new long[16];
        assertEquals(0, libc.pthread_sigmask(TestLibC.SIG_BLOCK, usr1, before));
        java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(1);
        try {
            libc.signal(Signals.USR1, TestLibC.SIG_IGN);
            assertEquals(0, libc.raise(Signals.USR1)); // queued: a blocked signal is never ignored
            posix.takeBackSignals(Set.of(Signals.USR1), () -> org.virtsup.run.JvmSignals.route(
                    name -> delivered.countDown(), "USR1"));
            assertTrue(delivered.await(20, java.util.concurrent.TimeUnit.SECONDS), "USR1 delivered once taken back");
            long[] now = new long[16];
            libc.pthread_sigmask(TestLibC.SIG_BLOCK, new long[16], now);
            assertEquals(0, now[0] & usr1[0], "unblocked in this thread");
        } finally {
            libc.pthread_sigmask(TestLibC.SIG_SETMASK, before, null);
        }
    }

    /** A failed exec puts the held signals' actions and the thread's mask back as they were. */
    @Test
    void aFailedExecPutsTheHeldSignalsBack() {
        int urg = 23; // SIGURG: ignored by default, and left alone by the JVM
        TestLibC libc = TestLibC.get();
        long[] before = new long[16];
        libc.pthread_sigmask(TestLibC.SIG_BLOCK, new long[16], before);
        assertFails(Errno.ENOENT, () -> posix.execInPlace(scratch + "/missing", List.of("x"), List.of(), Set.of(),
                Set.of(urg)));
        long[] after = new long[16];
        libc.pthread_sigmask(TestLibC.SIG_BLOCK, new long[16], after);
        assertEquals(before[0], after[0], "the mask as it was (the kernel's 64 signals: the first word)");
        assertEquals(0, libc.signal(urg, 0), "the action as it was: SIG_DFL, not SIG_IGN");
    }

    private static long[] signalSet(int signal) {
        long[] set = new long[16];
        set[(signal - 1) / 64] |= 1L << ((signal - 1) % 64);
        return set;
    }
}

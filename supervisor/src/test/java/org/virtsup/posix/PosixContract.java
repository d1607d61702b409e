package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * What every {@link Posix} must do, run against the kernel ({@link JnrPosixContractTest})
 * and against the fake ({@link FakePosixContractTest}), so that the fake cannot
 * drift from the kernel's behaviour. Subclasses supply the environment: a
 * scratch directory, programs that behave in known ways, a group.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PosixContract {
    protected static final Duration DEADLINE = Duration.ofSeconds(20);

    protected Posix posix;
    protected String scratch;
    /** Pids spawned by the test and not yet reaped: killed and reaped after it. */
    protected final List<Integer> ours = new ArrayList<>();

    /** A fresh implementation for each test. */
    protected abstract Posix createPosix();

    /** An existing, empty, absolute directory for this test. */
    protected abstract String newScratchDirectory();

    /** Creates a regular file with these permission bits, owned by the current user. */
    protected abstract void createFile(String path, int mode);

    /** Creates a listening unix socket at {@code path}. */
    protected abstract void createSocket(String path);

    /** A unix datagram socket bound at {@code address} (a path): what it receives, in order. */
    protected abstract Inbox receiveDatagramsAt(String address);

    /** See {@link #receiveDatagramsAt}. */
    protected interface Inbox {
        /** The next datagram already received; fails the test when none is there. */
        FakePosix.Datagram next();
    }

    /** A program that exits with {@code code} at once. */
    protected abstract SpawnSpec exitingWith(int code);

    /** A program that runs until a signal ends it, with default dispositions. */
    protected abstract SpawnSpec runningUntilSignalled();

    /** A program that ignores SIGTERM and runs until killed. */
    protected abstract SpawnSpec ignoringTerm();

    /** Returns once the child spawned from {@link #ignoringTerm()} does ignore SIGTERM. */
    protected void awaitIgnoringTerm(int pid) {}

    /** A program that writes exactly {@code text} (UTF-8) to its stdout, then exits with 0. */
    protected abstract SpawnSpec printing(String text);

    /** An existing group's name; {@link #existingGroupId()} is its gid. */
    protected abstract String existingGroupName();

    protected abstract int existingGroupId();

    /** This process's supplementary groups, in the order getgroups gives them. */
    protected abstract int[] expectedGroups();

    /** What getpid must answer. */
    protected abstract int expectedPid();

    /**
     * Spawns (through {@link #posix}) a child that holds a POSIX write lock on
     * the existing file {@code path}, and returns its pid once the lock is held.
     */
    protected abstract int spawnLockHolder(String path);

    /** Whether this process has children the test did not spawn (then ECHILD cannot be observed). */
    protected abstract boolean hasOtherChildren();

    @BeforeEach
    void createEnvironment() {
        posix = createPosix();
        scratch = newScratchDirectory();
    }

    @AfterEach
    void endOurChildren() {
        for (int pid : List.copyOf(ours)) {
            try {
                posix.kill(pid, Signals.KILL);
            } catch (PosixException gone) {
                // already reaped
            }
            awaitExit(pid);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Spawns and remembers the pid so that it is killed and reaped after the test. */
    protected int spawn(SpawnSpec spec) {
        int pid = posix.spawn(spec);
        ours.add(pid);
        return pid;
    }

    /** Reaps children until {@code pid} is among them (others are ignored: they are not ours). */
    protected ChildExit awaitExit(int pid) {
        while (true) {
            ChildExit exit = posix.waitAny();
            if (exit.pid() == pid) {
                ours.remove(Integer.valueOf(pid));
                return exit;
            }
            ours.remove(Integer.valueOf(exit.pid()));
        }
    }

    protected static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    protected String readAll(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int count;
        while ((count = posix.read(fd, buffer)) > 0) {
            all.write(buffer, 0, count);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    protected static PosixException assertFails(Errno errno, Executable call) {
        PosixException failure = assertThrows(PosixException.class, call);
        assertEquals(errno, failure.errno(), failure.getMessage());
        assertTrue(failure.getMessage().endsWith(": " + errno.name()), failure.getMessage());
        return failure;
    }

    // ------------------------------------------------------------------ processes

    @Test
    void reportsTheExitCodeOfAChild() {
        int pid = spawn(exitingWith(3));
        ChildExit exit = awaitExit(pid);
        assertEquals(new ExitStatus.Exited(3), exit.status());
        assertEquals("pid " + pid + " exited with code 3", exit.describe());

        int zero = spawn(exitingWith(0));
        assertEquals(new ExitStatus.Exited(0), awaitExit(zero).status());
    }

    @Test
    void reportsTheSignalThatKilledAChild() {
        int pid = spawn(runningUntilSignalled());
        posix.kill(pid, Signals.TERM);
        ChildExit exit = awaitExit(pid);
        assertEquals(new ExitStatus.Killed(Signals.TERM, false), exit.status());
        assertEquals("killed by signal 15 (SIGTERM)", exit.status().describe());
    }

    @Test
    void killEndsAChildThatIgnoresTerm() {
        int pid = spawn(ignoringTerm());
        awaitIgnoringTerm(pid);
        posix.kill(pid, Signals.TERM);
        posix.kill(pid, 0); // still there: TERM was ignored
        posix.kill(pid, Signals.KILL);
        assertEquals(new ExitStatus.Killed(Signals.KILL, false), awaitExit(pid).status());
    }

    @Test
    void spawningAMissingProgramFailsWithEnoent() {
        String missing = scratch + "/no-such-program";
        PosixException failure = assertFails(Errno.ENOENT, () -> spawn(SpawnSpec.of(missing, "x")));
        assertEquals("spawn " + missing + ": ENOENT", failure.getMessage());
    }

    @Test
    void spawningAFileWithoutExecutePermissionFailsWithEacces() {
        String file = scratch + "/not-a-program";
        createFile(file, 0644);
        assertFails(Errno.EACCES, () -> spawn(SpawnSpec.of(file, "x")));
    }

    @Test
    void spawningADirectoryFailsWithEacces() {
        assertFails(Errno.EACCES, () -> spawn(SpawnSpec.of(scratch, "x")));
    }

    @Test
    void spawningWithADescriptorThatIsNotOpenFailsWithEbadf() {
        Pipe pipe = posix.pipe();
        posix.close(pipe.readFd());
        posix.close(pipe.writeFd());
        assertFails(Errno.EBADF, () -> spawn(exitingWith(0).withStdio(-1, pipe.writeFd(), -1)));
    }

    @Test
    void signallingAReapedChildFailsWithEsrch() {
        int pid = spawn(exitingWith(0));
        awaitExit(pid);
        PosixException failure = assertFails(Errno.ESRCH, () -> posix.kill(pid, Signals.TERM));
        assertEquals("kill " + pid + ": ESRCH", failure.getMessage());
    }

    @Test
    void aZombieKeepsItsPidUntilReaped() {
        int pid = spawn(exitingWith(5));
        posix.kill(pid, 0); // running or zombie: the pid is still taken either way
        assertEquals(new ExitStatus.Exited(5), awaitExit(pid).status());
        assertFails(Errno.ESRCH, () -> posix.kill(pid, 0));
    }

    @Test
    void anUnknownSignalFailsWithEinval() {
        int pid = spawn(runningUntilSignalled());
        assertFails(Errno.EINVAL, () -> posix.kill(pid, 65));
        posix.kill(pid, 0);
    }

    @Test
    void refusesToSignalProcessGroupsOrEveryone() {
        assertThrows(IllegalArgumentException.class, () -> posix.kill(0, Signals.TERM));
        assertThrows(IllegalArgumentException.class, () -> posix.kill(-1, Signals.TERM));
    }

    @Test
    void waitingWithoutChildrenFailsWithEchild() {
        assumeFalse(hasOtherChildren(), "this process has children the test did not spawn");
        PosixException failure = assertFails(Errno.ECHILD, posix::waitAny);
        assertEquals("waitpid -1: ECHILD", failure.getMessage());
    }

    @Test
    void waitAnyInAnotherThreadReportsAChildKilledFromThisOne() throws Exception {
        int pid = spawn(runningUntilSignalled());
        ChildExit[] reaped = new ChildExit[1];
        Thread reaper = new Thread(() -> reaped[0] = posix.waitAny(), "reaper");
        reaper.start();
        posix.kill(pid, Signals.INT);
        reaper.join(DEADLINE.toMillis());
        assertFalse(reaper.isAlive(), "waitAny did not return after the child died");
        assertEquals(new ChildExit(pid, new ExitStatus.Killed(Signals.INT, false)), reaped[0]);
        ours.remove(Integer.valueOf(pid));
    }

    @Test
    void childrenSpawnedFromSeveralThreadsAreEachReapedOnce() throws Exception {
        int anchor = spawn(runningUntilSignalled()); // keeps the reaper from ECHILD between children
        int perThread = 40;
        Map<Integer, ExitStatus> spawned = new ConcurrentHashMap<>();
        Map<Integer, ExitStatus> reaped = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        Thread reaper = new Thread(() -> {
            while (true) {
                ChildExit exit = posix.waitAny();
                if (reaped.put(exit.pid(), exit.status()) != null) {
                    duplicates.incrementAndGet();
                }
                if (exit.pid() == anchor) {
                    return;
                }
            }
        }, "reaper");
        reaper.setDaemon(true);
        reaper.start();
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread spawner = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    spawned.put(posix.spawn(exitingWith(i % 3)), new ExitStatus.Exited(i % 3));
                }
            }, "spawner-" + t);
            spawners.add(spawner);
            spawner.start();
        }
        for (Thread spawner : spawners) {
            spawner.join(DEADLINE.toMillis());
        }
        assertEquals(2 * perThread, spawned.size(), "distinct pids");
        await("every child is reaped", () -> reaped.keySet().containsAll(spawned.keySet()));
        posix.kill(anchor, Signals.KILL);
        reaper.join(DEADLINE.toMillis());
        assertFalse(reaper.isAlive(), "the reaper did not see the anchor die");
        ours.remove(Integer.valueOf(anchor));
        assertEquals(0, duplicates.get(), "a pid reported twice");
        for (Map.Entry<Integer, ExitStatus> child : spawned.entrySet()) {
            assertEquals(child.getValue(), reaped.get(child.getKey()), "pid " + child.getKey());
        }
    }

    // ------------------------------------------------------------------ pipes

    @Test
    void aChildsStdoutArrivesThroughAPipeIntact() {
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < 300_000; line++) {
            text.append("line ").append(line).append(" élan ✓\n"); // more than a pipe holds (64 KiB)
        }
        Pipe pipe = posix.pipe();
        int pid = spawn(printing(text.toString()).withStdio(-1, pipe.writeFd(), -1));
        posix.close(pipe.writeFd()); // the child holds the only write end now
        String received = readAll(pipe.readFd());
        posix.close(pipe.readFd());
        assertEquals(text.toString(), received);
        assertEquals(new ExitStatus.Exited(0), awaitExit(pid).status());
    }

    @Test
    void readReturnsZeroAtEndOfFile() {
        Pipe pipe = posix.pipe();
        assertNotEquals(pipe.readFd(), pipe.writeFd());
        posix.close(pipe.writeFd());
        assertEquals(0, posix.read(pipe.readFd(), new byte[16]));
        posix.close(pipe.readFd());
    }

    @Test
    void closingAClosedDescriptorFailsWithEbadf() {
        Pipe pipe = posix.pipe();
        posix.close(pipe.readFd());
        posix.close(pipe.writeFd());
        PosixException failure = assertFails(Errno.EBADF, () -> posix.close(pipe.readFd()));
        assertEquals("close fd " + pipe.readFd() + ": EBADF", failure.getMessage());
        assertFails(Errno.EBADF, () -> posix.read(pipe.readFd(), new byte[1]));
    }

    @Test
    void readingTheWriteEndFailsWithEbadf() {
        Pipe pipe = posix.pipe();
        try {
            assertFails(Errno.EBADF, () -> posix.read(pipe.writeFd(), new byte[1]));
        } finally {
            posix.close(pipe.readFd());
            posix.close(pipe.writeFd());
        }
    }

    @Test
    void aChildsStdoutArrivesThroughASocketPairIntact() {
        String text = "one\ntwo élan ✓\n".repeat(20_000);
        Pipe pair = posix.socketPair();
        int pid = spawn(printing(text).withStdio(-1, pair.writeFd(), -1));
        posix.close(pair.writeFd());
        String received = readAll(pair.readFd());
        posix.close(pair.readFd());
        assertEquals(text, received);
        assertEquals(new ExitStatus.Exited(0), awaitExit(pid).status());
    }

    @Test
    void shutdownReadEndsABlockedReadWhileAChildStillHoldsTheWriteEnd() throws Exception {
        Pipe pair = posix.socketPair();
        int pid = spawn(runningUntilSignalled().withStdio(-1, pair.writeFd(), pair.writeFd()));
        posix.close(pair.writeFd());
        AtomicInteger read = new AtomicInteger(-1);
        Thread reader = new Thread(() -> read.set(posix.read(pair.readFd(), new byte[64])), "contract-reader");
        reader.start();
        reader.join(100);
        assertTrue(reader.isAlive(), "the read blocks while the child holds the write end");

        posix.shutdownRead(pair.readFd());

        reader.join(DEADLINE.toMillis());
        assertFalse(reader.isAlive(), "the blocked read returned");
        assertEquals(0, read.get(), "end of file");
        assertEquals(0, posix.read(pair.readFd(), new byte[8]), "and every later read");
        posix.close(pair.readFd());
        posix.kill(pid, Signals.KILL);
        awaitExit(pid);
    }

    @Test
    void shutdownAndPeerGroupsNeedAnOpenSocket() {
        Pipe pipe = posix.pipe();
        try {
            assertFails(Errno.ENOTSOCK, () -> posix.shutdownRead(pipe.readFd()));
            assertFails(Errno.ENOTSOCK, () -> posix.peerGroups(pipe.readFd()));
        } finally {
            posix.close(pipe.readFd());
            posix.close(pipe.writeFd());
        }
        // Not the pipe's number again: another thread of the JVM may have been given it since.
        int neverOpen = Integer.MAX_VALUE;
        assertFails(Errno.EBADF, () -> posix.shutdownRead(neverOpen));
        assertFails(Errno.EBADF, () -> posix.peerGroups(neverOpen));
    }

    @Test
    void peerGroupsOfASocketPairAreThisProcesssOwn() {
        Pipe pair = posix.socketPair();
        try {
            assertArrayEquals(expectedGroups(), posix.peerGroups(pair.readFd()));
            assertArrayEquals(expectedGroups(), posix.peerGroups(pair.writeFd()));
        } finally {
            posix.close(pair.readFd());
            posix.close(pair.writeFd());
        }
    }

    // ------------------------------------------------------------------ files

    @Test
    void mkdirsCreatesMissingParentsWithExactlyTheMode() {
        String leaf = scratch + "/a/b/c";
        posix.mkdirs(leaf, 0750);
        for (String directory : List.of(scratch + "/a", scratch + "/a/b", leaf)) {
            FileStatus status = posix.stat(directory);
            assertTrue(status.directory(), directory);
            assertEquals(0750, status.permissions(), directory + " has mode " + Integer.toOctalString(status.mode()));
        }
        posix.mkdirs(leaf, 0750); // again: nothing to do
    }

    @Test
    void mkdirsLeavesExistingDirectoriesAlone() {
        posix.mkdirs(scratch + "/kept", 0700);
        posix.mkdirs(scratch + "/kept/new", 0755);
        assertEquals(0700, posix.stat(scratch + "/kept").permissions());
        assertEquals(0755, posix.stat(scratch + "/kept/new").permissions());
    }

    @Test
    void mkdirsOverAFileFailsWithEexistAndBeneathOneWithEnotdir() {
        String file = scratch + "/file";
        createFile(file, 0644);
        assertFails(Errno.EEXIST, () -> posix.mkdirs(file, 0755));
        assertFails(Errno.ENOTDIR, () -> posix.mkdirs(file + "/below", 0755));
    }

    @Test
    void statTellsDirectoriesFilesAndSocketsApart() {
        String file = scratch + "/file";
        createFile(file, 0640);
        String socket = scratch + "/socket";
        createSocket(socket);

        FileStatus directory = posix.stat(scratch);
        assertTrue(directory.directory());
        assertFalse(directory.socket());
        assertEquals(FileStatus.S_IFDIR, directory.mode() & FileStatus.S_IFMT);

        FileStatus regular = posix.stat(file);
        assertTrue(regular.regularFile());
        assertFalse(regular.directory() || regular.socket());
        assertEquals(0640, regular.permissions());
        assertEquals(posix.geteuid(), regular.uid());

        FileStatus listening = posix.stat(socket);
        assertTrue(listening.socket());
        assertFalse(listening.directory());
    }

    @Test
    void pathsBeneathAFileFailWithEnotdir() {
        String file = scratch + "/file";
        createFile(file, 0755);
        assertFails(Errno.ENOTDIR, () -> posix.stat(file + "/below"));
        assertFails(Errno.ENOTDIR, () -> posix.chmod(file + "/below", 0600));
        assertFails(Errno.ENOTDIR, () -> spawn(SpawnSpec.of(file + "/below", "below")));
    }

    @Test
    void chmodChangesThePermissionBits() {
        String file = scratch + "/file";
        createFile(file, 0600);
        posix.chmod(file, 0751);
        assertEquals(0751, posix.stat(file).permissions());
    }

    @Test
    void missingPathsFailWithEnoent() {
        String missing = scratch + "/missing";
        assertEquals("stat " + missing + ": ENOENT",
                assertFails(Errno.ENOENT, () -> posix.stat(missing)).getMessage());
        assertEquals("chmod " + missing + ": ENOENT",
                assertFails(Errno.ENOENT, () -> posix.chmod(missing, 0600)).getMessage());
        assertEquals("chown " + missing + ": ENOENT",
                assertFails(Errno.ENOENT, () -> posix.chown(missing, 0, 0)).getMessage());
    }

    @Test
    void chownAsRootChangesOwnerAndGroup() {
        assumeTrue(posix.geteuid() == 0, "chown to another user needs root");
        String file = scratch + "/owned";
        createFile(file, 0600);
        posix.chown(file, 1234, 5678);
        FileStatus status = posix.stat(file);
        assertEquals(1234, status.uid());
        assertEquals(5678, status.gid());
        posix.chown(file, -1, 42); // -1 keeps the owner
        assertEquals(1234, posix.stat(file).uid());
        assertEquals(42, posix.stat(file).gid());
    }

    // ------------------------------------------------------------------ identity, groups, locks

    @Test
    void findsGroupsByName() {
        assertEquals(OptionalInt.of(existingGroupId()), posix.groupId(existingGroupName()));
        assertEquals(OptionalInt.empty(), posix.groupId("virtsup-no-such-group"));
    }

    @Test
    void knowsItsOwnPid() {
        assertEquals(expectedPid(), posix.getpid());
    }

    @Test
    void lockHolderNamesTheProcessHoldingALock() {
        String pidFile = scratch + "/daemon.pid";
        assertEquals(OptionalInt.empty(), posix.lockHolder(pidFile), "no file");
        createFile(pidFile, 0644);
        assertEquals(OptionalInt.empty(), posix.lockHolder(pidFile), "nobody holds it");

        int holder = spawnLockHolder(pidFile);
        ours.add(holder);
        assertEquals(OptionalInt.of(holder), posix.lockHolder(pidFile));

        posix.kill(holder, Signals.KILL);
        awaitExit(holder);
        assertEquals(OptionalInt.empty(), posix.lockHolder(pidFile), "the lock goes with its holder");
    }
    // ------------------------------------------------------------------ listening sockets

    @Test
    void listenUnixMakesASocketFileAndItsPathCannotBeBoundTwice() {
        String path = scratch + "/daemon-sock";
        int fd = posix.listenUnix(path, 128);
        try {
            assertTrue(posix.stat(path).socket(), "a socket file at " + path);
            assertTrue(posix.socketInode(fd) > 0);
            assertEquals("bind " + path + ": EADDRINUSE",
                    assertFails(Errno.EADDRINUSE, () -> posix.listenUnix(path, 128)).getMessage());
        } finally {
            posix.close(fd);
        }
        assertTrue(posix.stat(path).socket(), "closing the socket leaves its file, as a dead daemon leaves it");
        assertFails(Errno.EADDRINUSE, () -> posix.listenUnix(path, 128));
        posix.unlink(path);
        assertFails(Errno.ENOENT, () -> posix.stat(path));
        int again = posix.listenUnix(path, 128);
        posix.close(again);
    }

    @Test
    void listenUnixFailsWhereTheKernelDoes() {
        assertEquals("bind " + scratch + "/missing/sock: ENOENT",
                assertFails(Errno.ENOENT, () -> posix.listenUnix(scratch + "/missing/sock", 16)).getMessage());
        assertFails(Errno.ENAMETOOLONG, () -> posix.listenUnix(scratch + "/" + "s".repeat(120), 16));
        assertFails(Errno.ENOENT, () -> posix.unlink(scratch + "/missing"));
    }

    @Test
    void descriptorsSentInADatagramArriveAsTheSameSockets() {
        Inbox inbox = receiveDatagramsAt(scratch + "/notify");
        int socket = posix.listenUnix(scratch + "/held", 16);
        try {
            posix.sendDescriptors(scratch + "/notify", "FDSTORE=1\nFDNAME=held".getBytes(StandardCharsets.UTF_8),
                    new int[] {socket});
            assertEquals(new FakePosix.Datagram("FDSTORE=1\nFDNAME=held", List.of(posix.socketInode(socket))),
                    inbox.next());
            posix.sendDescriptors(scratch + "/notify", "FDSTOREREMOVE=1".getBytes(StandardCharsets.UTF_8), new int[0]);
            assertEquals(new FakePosix.Datagram("FDSTOREREMOVE=1", List.of()), inbox.next());
        } finally {
            posix.close(socket);
        }
    }

    @Test
    void sendingDescriptorsFailsWhereTheKernelDoes() {
        byte[] text = "FDSTORE=1".getBytes(StandardCharsets.UTF_8);
        int socket = posix.listenUnix(scratch + "/held", 16);
        try {
            assertEquals("sendmsg " + scratch + "/nobody: ENOENT", assertFails(Errno.ENOENT,
                    () -> posix.sendDescriptors(scratch + "/nobody", text, new int[] {socket})).getMessage());
            assertFails(Errno.ENAMETOOLONG, () -> posix.sendDescriptors(scratch + "/" + "n".repeat(120), text,
                    new int[0]));
            receiveDatagramsAt(scratch + "/notify");
            // Not a just-closed number: the call's own socket may take the lowest free one.
            assertFails(Errno.EBADF, () -> posix.sendDescriptors(scratch + "/notify", text, new int[] {999_999}));
        } finally {
            posix.close(socket);
        }
    }

    @Test
    void eachSocketHasItsOwnInodeAndOnlySocketsHaveOne() {
        int first = posix.listenUnix(scratch + "/first", 16);
        int second = posix.listenUnix(scratch + "/second", 16);
        Pipe pipe = posix.pipe();
        try {
            assertNotEquals(posix.socketInode(first), posix.socketInode(second));
            assertFails(Errno.ENOTSOCK, () -> posix.socketInode(pipe.readFd()));
            assertFails(Errno.ENOTSOCK, () -> posix.listen(pipe.readFd(), 16));
            posix.listen(first, 4096); // a listening socket takes a new backlog
        } finally {
            for (int fd : new int[] {first, second, pipe.readFd(), pipe.writeFd()}) {
                posix.close(fd);
            }
        }
        assertFails(Errno.EBADF, () -> posix.socketInode(first));
        assertFails(Errno.EBADF, () -> posix.listen(first, 16));
    }

    @Test
    void aTcpPortHasOneListener() {
        int port = freeTcpPort();
        int fd = posix.listenTcp("127.0.0.1", port, 64);
        try {
            assertTrue(posix.socketInode(fd) > 0);
            assertEquals("bind 127.0.0.1:" + port + ": EADDRINUSE",
                    assertFails(Errno.EADDRINUSE, () -> posix.listenTcp("127.0.0.1", port, 64)).getMessage());
        } finally {
            posix.close(fd);
        }
        int again = posix.listenTcp("127.0.0.1", port, 64); // SO_REUSEADDR: free again at once
        posix.close(again);
        int wildcard = posix.listenTcp("0.0.0.0", port, 64);
        try {
            assertFails(Errno.EADDRINUSE, () -> posix.listenTcp("127.0.0.1", port, 64));
        } finally {
            posix.close(wildcard);
        }
        assertFails(Errno.EINVAL, () -> posix.listenTcp("127.0.0.1", 70000, 64));
    }

    @Test
    void aClosedPeerIsSeenAtOnceAndAnOpenOneIsNot() {
        Pipe pair = posix.socketPair();
        try {
            assertFalse(posix.peerClosed(pair.readFd()));
            assertFalse(posix.peerClosed(pair.writeFd()));
            posix.close(pair.writeFd());
            assertTrue(posix.peerClosed(pair.readFd()));
        } finally {
            posix.close(pair.readFd());
        }
        assertFails(Errno.EBADF, () -> posix.peerClosed(Integer.MAX_VALUE));
    }

    /**
     * A listening socket handed to a child stays bound while the child holds
     * it, even once the parent closed its own descriptor: a daemon keeps its
     * port until it ends.
     */
    @Test
    void aTcpSocketHandedToAChildStaysBoundUntilTheChildEnds() {
        int port = freeTcpPort();
        int fd = posix.listenTcp("0.0.0.0", port, 64);
        int pid = spawn(runningUntilSignalled().withPassed(List.of(fd)));
        posix.close(fd);
        assertFails(Errno.EADDRINUSE, () -> posix.listenTcp("127.0.0.1", port, 64));
        posix.kill(pid, Signals.KILL);
        awaitExit(pid);
        int narrowed = posix.listenTcp("127.0.0.1", port, 64);
        posix.close(narrowed);
    }

    @Test
    void spawningWithAPassedDescriptorThatIsNotOpenFailsWithEbadf() {
        Pipe pipe = posix.pipe();
        posix.close(pipe.readFd());
        posix.close(pipe.writeFd());
        assertFails(Errno.EBADF, () -> spawn(runningUntilSignalled().withPassed(List.of(pipe.readFd()))));
    }

    // ------------------------------------------------------------------ exec in place

    @Test
    void execInPlaceOfAMissingProgramFailsWithEnoentAndLeavesTheInheritedDescriptorsOpen() {
        Pipe pipe = posix.pipe();
        String missing = scratch + "/no-such-program";
        PosixException failure = assertFails(Errno.ENOENT, () -> posix.execInPlace(missing, List.of("x"), List.of(),
                Set.of(pipe.readFd(), pipe.writeFd()), Set.of()));
        assertEquals("execve " + missing + ": ENOENT", failure.getMessage());
        posix.close(pipe.writeFd());
        assertEquals(0, posix.read(pipe.readFd(), new byte[8])); // still open: it reads the end of the pipe
        posix.close(pipe.readFd());
    }

    @Test
    void execInPlaceOfAFileWithoutExecutePermissionFailsWithEacces() {
        String file = scratch + "/not-a-program";
        createFile(file, 0644);
        assertFails(Errno.EACCES, () -> posix.execInPlace(file, List.of("x"), List.of(), Set.of(), Set.of()));
    }

    @Test
    void execInPlaceWithAnInheritedDescriptorThatIsNotOpenFailsWithEbadf() {
        Pipe pipe = posix.pipe();
        posix.close(pipe.readFd());
        posix.close(pipe.writeFd());
        assertFails(Errno.EBADF, () -> posix.execInPlace("/bin/true", List.of("true"), List.of(),
                Set.of(pipe.readFd()), Set.of()));
    }

    // ------------------------------------------------------------------ process file descriptors

    @Test
    void aPidfdBecomesReadableWhenItsProcessEndsEvenBeforeItIsReaped() {
        int pid = spawn(runningUntilSignalled());
        int pidfd = posix.pidfdOpen(pid);
        try {
            assertFalse(posix.awaitPidfd(pidfd, 50), "a running process's pidfd is not readable");
            posix.kill(pid, Signals.KILL);
            assertTrue(posix.awaitPidfd(pidfd, (int) DEADLINE.toMillis()), "readable once it ended");
            awaitExit(pid);
            assertTrue(posix.awaitPidfd(pidfd, 0), "and still once it is reaped");
        } finally {
            posix.close(pidfd);
        }
        assertFails(Errno.EBADF, () -> posix.awaitPidfd(pidfd, 0));
    }

    @Test
    void aPidfdOfNoProcessFailsWithEsrch() {
        int pid = spawn(exitingWith(0));
        awaitExit(pid);
        assertFails(Errno.ESRCH, () -> posix.pidfdOpen(pid));
        assertThrows(IllegalArgumentException.class, () -> posix.pidfdOpen(0));
    }

    @Test
    void pidfdGetfdCopiesAListeningSocketOutOfAnotherProcess() {
        int socket = posix.listenUnix(scratch + "/held", 16);
        long inode = posix.socketInode(socket);
        int pid = spawn(runningUntilSignalled().withPassed(List.of(socket)));
        posix.close(socket);
        int pidfd = posix.pidfdOpen(pid);
        try {
            int copy = posix.pidfdGetfd(pidfd, 3);
            assertEquals(inode, posix.socketInode(copy), "the same socket, as dup gives it");
            posix.close(copy);
            assertFails(Errno.EBADF, () -> posix.pidfdGetfd(pidfd, 57));
            posix.kill(pid, Signals.KILL);
            awaitExit(pid);
            assertFails(Errno.ESRCH, () -> posix.pidfdGetfd(pidfd, 3));
        } finally {
            posix.close(pidfd);
        }
    }

    // ------------------------------------------------------------------ waiting on one descriptor, one child

    @Test
    void awaitReadableWaitsForBytesOrTheEndOfFile() {
        Pipe pipe = posix.pipe();
        assertFalse(posix.awaitReadable(pipe.readFd(), 50), "an empty pipe with a writer is not readable");
        int pid = spawn(printing("9.0.0").withStdio(-1, pipe.writeFd(), -1));
        posix.close(pipe.writeFd());
        assertTrue(posix.awaitReadable(pipe.readFd(), (int) DEADLINE.toMillis()));
        assertEquals("9.0.0", readAll(pipe.readFd()));
        assertTrue(posix.awaitReadable(pipe.readFd(), 0), "the end of file is readable: read returns 0 at once");
        posix.close(pipe.readFd());
        awaitExit(pid);
        assertFails(Errno.EBADF, () -> posix.awaitReadable(pipe.readFd(), 0));
        assertThrows(IllegalArgumentException.class, () -> posix.awaitReadable(pipe.readFd(), -1));
    }

    @Test
    void waitPidReapsThatChildOnlyAndLeavesTheOthersToWaitAny() {
        int first = spawn(exitingWith(5));
        int second = spawn(runningUntilSignalled());
        posix.kill(second, Signals.TERM);
        assertEquals(new ExitStatus.Killed(Signals.TERM, false), posix.waitPid(second));
        ours.remove(Integer.valueOf(second));
        assertFails(Errno.ECHILD, () -> posix.waitPid(second));
        assertEquals(new ExitStatus.Exited(5), awaitExit(first).status(), "the first child's exit is still there");
        assertFails(Errno.ECHILD, () -> posix.waitPid(1));
        assertThrows(IllegalArgumentException.class, () -> posix.waitPid(0));
        assertThrows(IllegalArgumentException.class, () -> posix.waitPid(-1));
    }

    /** A port nobody listens on now. */
    protected static int freeTcpPort() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

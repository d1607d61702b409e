package org.virtsup.posix;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A strict, in-memory {@link Posix}: a file tree, a process table, pipes and a
 * group table, failing the way the kernel does (ENOENT, EACCES, ESRCH, EPERM,
 * ECHILD, EEXIST, ENOTDIR, EBADF). Children are scripted with
 * {@link ChildBehaviour}s; a test makes them exit with {@link #exit(int, int)}
 * or {@link #die(int, int)} and inspects {@link #spawned()},
 * {@link #signalsSentTo(int)} and {@link #calls()}.
 *
 * <pre>{@code
 * FakePosix fake = new FakePosix()
 *         .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
 *         .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.ignoresTerm())
 *         .addGroup("libvirt", 990);
 * // ... the code under test spawns through fake ...
 * int pid = fake.awaitSpawned(1, Duration.ofSeconds(5)).pid();
 * fake.exit(pid, 1);                       // a crash the reaper will see
 * assertEquals(List.of(Signals.TERM, Signals.KILL), fake.signalsSentTo(pid));
 * }</pre>
 *
 * <p>Thread-safe: one lock guards everything, and {@link #waitAny()},
 * {@link #read(int, byte[])} and {@link #awaitSpawned(int, Duration)} block on
 * it until something changes, as a reaper thread blocks in waitpid while an
 * event loop spawns.
 *
 * <p>A {@link #socketPair()} is a pipe that {@link #shutdownRead} can end; its
 * peer is this very process, whose supplementary groups {@link #withGroups}
 * sets. Not modelled: symbolic links, other processes' supplementary groups, stopped processes
 * (STOP and the terminal signals are ignored), core dumps (never reported),
 * EINTR, relative paths (rejected).
 */
public final class FakePosix implements Posix {
    /** Our children start at this pid; foreign processes may use any other. */
    public static final int FIRST_CHILD_PID = 1000;

    private static final int TYPE_DIRECTORY = FileStatus.S_IFDIR;
    private static final int TYPE_REGULAR = FileStatus.S_IFREG;
    private static final int TYPE_SOCKET = FileStatus.S_IFSOCK;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private final Map<String, Node> files = new HashMap<>();
    private final Map<String, Integer> groups = new HashMap<>();
    private final Map<String, Integer> locks = new HashMap<>();
    private final Map<String, ChildBehaviour> behaviours = new HashMap<>();
    private final Map<Integer, Process> processes = new HashMap<>();
    private final Deque<Integer> zombies = new ArrayDeque<>();
    private final TreeMap<Integer, OpenFile> descriptors = new TreeMap<>();
    private final List<Spawned> spawned = new ArrayList<>();
    private final Map<Integer, List<Integer>> signals = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Replaced> execs = new ArrayList<>();
    private final Set<Integer> reaped = new HashSet<>();
    private final Set<String> boundPorts = new HashSet<>();
    private final Map<String, List<Datagram>> inboxes = new HashMap<>();
    private final List<Set<Integer>> takenBack = new ArrayList<>();
    private long nextInode = 70_000;

    private int pid = 4242;
    private int euid = 0;
    private int egid = 0;
    private int nextPid = FIRST_CHILD_PID;
    private boolean childSubreaper;
    private boolean readsHeld;
    private int[] supplementaryGroups = {};

    /** A fake with "/" and "/dev/null", running as root, with fds 0-2 open. */
    public FakePosix() {
        files.put("/", new Node(TYPE_DIRECTORY, 0, 0, 0755));
        files.put("/dev", new Node(TYPE_DIRECTORY, 0, 0, 0755));
        files.put("/dev/null", new Node(FileStatus.S_IFCHR, 0, 0, 0666));
        for (int fd = 0; fd < 3; fd++) {
            descriptors.put(fd, new Inherited());
        }
    }

    /** One spawn that succeeded. */
    public record Spawned(int pid, SpawnSpec spec) {}

    /**
     * One datagram {@link #sendDescriptors} delivered: its text and, per
     * descriptor sent, the socket's inode (-1 for a file that is no socket).
     */
    public record Datagram(String text, List<Long> inodes) {}

    // ---------------------------------------------------------------- configuration

    /** This process's pid (getpid). */
    public FakePosix withPid(int newPid) {
        lock.lock();
        try {
            pid = newPid;
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** This process's supplementary groups, as SO_PEERGROUPS reports them on its own socket pairs. */
    public FakePosix withGroups(int... gids) {
        lock.lock();
        try {
            supplementaryGroups = gids.clone();
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Run as this user and group from now on (default root). */
    public FakePosix asUser(int uid, int gid) {
        lock.lock();
        try {
            euid = uid;
            egid = gid;
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** A directory and any missing parents (those root-owned, 0755). */
    public FakePosix addDirectory(String path, int uid, int gid, int mode) {
        return addNode(path, new Node(TYPE_DIRECTORY, uid, gid, mode & 07777));
    }

    public FakePosix addFile(String path, int uid, int gid, int mode) {
        return addNode(path, new Node(TYPE_REGULAR, uid, gid, mode & 07777));
    }

    public FakePosix addSocket(String path, int uid, int gid, int mode) {
        return addNode(path, new Node(TYPE_SOCKET, uid, gid, mode & 07777));
    }

    /** A root-owned 0755 program; spawning it runs until signalled unless {@link #onSpawn} says otherwise. */
    public FakePosix addExecutable(String path) {
        return addFile(path, 0, 0, 0755);
    }

    /** What the program at {@code path} does; adds it as a root-owned 0755 file if missing. */
    public FakePosix onSpawn(String path, ChildBehaviour behaviour) {
        lock.lock();
        try {
            if (!files.containsKey(normalize(path))) {
                addExecutable(path);
            }
            behaviours.put(normalize(path), behaviour);
            return this;
        } finally {
            lock.unlock();
        }
    }

    public FakePosix addGroup(String name, int gid) {
        lock.lock();
        try {
            groups.put(name, gid);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** A running process that is not our child (another user's, or one from a stale pid file). */
    public FakePosix addProcess(int processId, int uid) {
        lock.lock();
        try {
            if (processes.containsKey(processId)) {
                throw new IllegalStateException("pid " + processId + " is already taken");
            }
            processes.put(processId, new Process(processId, uid, false, null, ChildBehaviour.runsUntilSignalled()));
            return this;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Process {@code holder} takes a POSIX lock on {@code path} (an existing
     * file), as libvirt's daemons do on their pid files. The lock goes when the
     * holder dies.
     */
    public FakePosix holdLock(String path, int holder) {
        lock.lock();
        try {
            String normalized = normalize(path);
            if (!files.containsKey(normalized)) {
                throw new IllegalStateException("cannot lock " + path + ": no such file in the fake");
            }
            if (!isRunning(holder)) {
                throw new IllegalStateException("cannot lock " + path + ": pid " + holder + " is not running");
            }
            locks.put(normalized, holder);
            return this;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- scripting children

    /** Running child {@code childPid} exits with {@code code} and becomes a zombie until reaped. */
    public void exit(int childPid, int code) {
        end(childPid, new ExitStatus.Exited(code));
    }

    /** Running process {@code processId} is ended by {@code signal} (the OOM killer, an operator...). */
    public void die(int processId, int signal) {
        end(processId, new ExitStatus.Killed(signal, false));
    }

    /**
     * Reads block, even with data in the pipe, until {@link #releaseReads()}: a
     * reader thread that lags behind, as the scheduler may make it.
     */
    public void holdReads() {
        lock.lock();
        try {
            readsHeld = true;
        } finally {
            lock.unlock();
        }
    }

    public void releaseReads() {
        lock.lock();
        try {
            readsHeld = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every successful spawn, in order. */
    public List<Spawned> spawned() {
        lock.lock();
        try {
            return List.copyOf(spawned);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code count} spawns have succeeded and returns the
     * {@code count}-th (1-based).
     *
     * @throws AssertionError when that does not happen within {@code timeout}
     */
    public Spawned awaitSpawned(int count, Duration timeout) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (spawned.size() < count) {
                if (remaining <= 0) {
                    throw new AssertionError("expected spawn #" + count + " within " + timeout
                            + ", saw " + spawned.size() + ": " + spawned);
                }
                remaining = changed.awaitNanos(remaining);
            }
            return spawned.get(count - 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for spawn #" + count, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code processId} has been sent {@code signal} (by any caller of {@link #kill}).
     *
     * @throws AssertionError when that does not happen within {@code timeout}
     */
    public void awaitSignal(int processId, int signal, Duration timeout) {
        awaitCondition(() -> signals.getOrDefault(processId, List.of()).contains(signal), timeout,
                () -> Signals.name(signal) + " sent to pid " + processId + "; it got " + signalsSentTo(processId));
    }

    /**
     * Waits until {@code childPid} has ended and been reaped by {@link #waitAny()}.
     *
     * @throws AssertionError when that does not happen within {@code timeout}
     */
    public void awaitReaped(int childPid, Duration timeout) {
        awaitCondition(() -> reaped.contains(childPid), timeout, () -> "pid " + childPid + " reaped");
    }

    private void awaitCondition(BooleanSupplier condition, Duration timeout, Supplier<String> expectation) {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (!condition.getAsBoolean()) {
                if (remaining <= 0) {
                    throw new AssertionError("expected within " + timeout + ": " + expectation.get());
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for: " + expectation.get(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The handle of a child spawned by this fake, running or not. */
    public FakeChild child(int childPid) {
        lock.lock();
        try {
            Process process = processes.get(childPid);
            if (process == null || !process.child) {
                throw new IllegalStateException("pid " + childPid + " is not a child spawned by this fake");
            }
            return new FakeChild(this, childPid, process.spec);
        } finally {
            lock.unlock();
        }
    }

    /** Every signal sent to {@code processId} (signal 0 excluded), in order. */
    public List<Integer> signalsSentTo(int processId) {
        lock.lock();
        try {
            return List.copyOf(signals.getOrDefault(processId, List.of()));
        } finally {
            lock.unlock();
        }
    }

    /** Every call made through the {@link Posix} interface, e.g. "spawn /usr/sbin/libvirtd", "kill 1000 SIGTERM". */
    public List<String> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /** Alive and not yet ended (a zombie is not running). */
    public boolean isRunning(int processId) {
        lock.lock();
        try {
            Process process = processes.get(processId);
            return process != null && process.status == null;
        } finally {
            lock.unlock();
        }
    }

    /** Ended but not yet reaped. */
    public boolean isZombie(int processId) {
        lock.lock();
        try {
            Process process = processes.get(processId);
            return process != null && process.status != null;
        } finally {
            lock.unlock();
        }
    }

    /** Pids of our children that are running. */
    public List<Integer> runningChildren() {
        lock.lock();
        try {
            return processes.values().stream()
                    .filter(process -> process.child && process.status == null)
                    .map(process -> process.pid)
                    .sorted()
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** Descriptors open in this (fake) process, 0-2 included until closed. */
    public List<Integer> openDescriptors() {
        lock.lock();
        try {
            return List.copyOf(descriptors.keySet());
        } finally {
            lock.unlock();
        }
    }

    public boolean isChildSubreaper() {
        lock.lock();
        try {
            return childSubreaper;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- Posix

    @Override
    public int spawn(SpawnSpec spec) {
        lock.lock();
        try {
            calls.add("spawn " + spec.path() + " " + String.join(" ", spec.argv()));
            for (int fd : new int[] {spec.stdin(), spec.stdout(), spec.stderr()}) {
                if (fd >= 0 && !descriptors.containsKey(fd)) {
                    throw new PosixException("spawn", spec.path(), Errno.EBADF);
                }
            }
            for (int fd : spec.passed()) {
                if (!descriptors.containsKey(fd)) {
                    throw new PosixException("spawn", spec.path(), Errno.EBADF);
                }
            }
            Node program = lookup("spawn", spec.path());
            if (program.type != TYPE_REGULAR || !mayExecute(program)) {
                throw new PosixException("spawn", spec.path(), Errno.EACCES);
            }
            int childPid = nextFreePid();
            Process process = new Process(childPid, euid, true, spec,
                    behaviours.getOrDefault(normalize(spec.path()), ChildBehaviour.runsUntilSignalled()));
            int[] stdio = {spec.stdin(), spec.stdout(), spec.stderr()};
            for (int target = 0; target < 3; target++) {
                if (stdio[target] >= 0 && descriptors.get(stdio[target]) instanceof PipeEnd end) {
                    end.pipe.acquire(end.reading);
                    process.stdio[target] = end;
                }
            }
            for (int i = 0; i < spec.passed().size(); i++) {
                int fd = spec.passed().get(i);
                process.fds.put(3 + i, descriptors.get(fd));
                if (descriptors.get(fd) instanceof ListeningSocket socket) {
                    socket.holders++; // the child's copy: bound until both are closed
                    process.sockets.add(socket);
                }
            }
            processes.put(childPid, process);
            spawned.add(new Spawned(childPid, spec));
            changed.signalAll();
            process.behaviour.started(new FakeChild(this, childPid, spec));
            return childPid;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Pipe pipe() {
        return newPipe("pipe", false);
    }

    @Override
    public Pipe socketPair() {
        return newPipe("socketpair", true);
    }

    private Pipe newPipe(String call, boolean socket) {
        lock.lock();
        try {
            calls.add(call);
            FakePipe pipe = new FakePipe(socket);
            int readFd = lowestFreeDescriptor();
            descriptors.put(readFd, new PipeEnd(pipe, true));
            int writeFd = lowestFreeDescriptor();
            descriptors.put(writeFd, new PipeEnd(pipe, false));
            return new Pipe(readFd, writeFd);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(int fd, byte[] buffer) {
        lock.lock();
        try {
            calls.add("read fd " + fd);
            while (true) {
                if (!(descriptors.get(fd) instanceof PipeEnd end) || !end.reading) {
                    throw new PosixException("read", "fd " + fd, Errno.EBADF);
                }
                if (readsHeld) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                if (end.pipe.readShut) {
                    return 0;
                }
                if (!end.pipe.buffer.isEmpty()) {
                    int count = Math.min(buffer.length, end.pipe.buffer.size());
                    for (int i = 0; i < count; i++) {
                        buffer[i] = end.pipe.buffer.removeFirst();
                    }
                    return count;
                }
                if (end.pipe.writers == 0 || buffer.length == 0) {
                    return 0;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownRead(int fd) {
        lock.lock();
        try {
            calls.add("shutdown fd " + fd);
            PipeEnd end = socketEnd("shutdown", fd);
            if (end.reading) {
                end.pipe.readShut = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean peerClosed(int fd) {
        lock.lock();
        try {
            calls.add("poll fd " + fd);
            PipeEnd end = socketEnd("poll", fd);
            return end.reading ? end.pipe.writers == 0 : end.pipe.readers == 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int[] peerGroups(int fd) {
        lock.lock();
        try {
            calls.add("getsockopt SO_PEERGROUPS fd " + fd);
            socketEnd("getsockopt SO_PEERGROUPS", fd);
            return supplementaryGroups.clone();
        } finally {
            lock.unlock();
        }
    }

    private PipeEnd socketEnd(String operation, int fd) {
        OpenFile file = descriptors.get(fd);
        if (file == null) {
            throw new PosixException(operation, "fd " + fd, Errno.EBADF);
        }
        if (!(file instanceof PipeEnd end) || !end.pipe.socket) {
            throw new PosixException(operation, "fd " + fd, Errno.ENOTSOCK);
        }
        return end;
    }

    @Override
    public void close(int fd) {
        lock.lock();
        try {
            calls.add("close fd " + fd);
            OpenFile file = descriptors.remove(fd);
            if (file == null) {
                throw new PosixException("close", "fd " + fd, Errno.EBADF);
            }
            if (file instanceof PipeEnd end) {
                end.pipe.release(end.reading);
            }
            if (file instanceof ListeningSocket socket) {
                letGo(socket);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void kill(int processId, int signal) {
        lock.lock();
        try {
            calls.add("kill " + processId + " " + (signal == 0 ? "0" : Signals.name(signal)));
            if (processId <= 0) {
                throw new IllegalArgumentException(
                        "kill " + processId + ": only single processes (pid > 0) may be signalled");
            }
            if (signal < 0 || signal > Signals.MAX) {
                throw new PosixException("kill", Integer.toString(processId), Errno.EINVAL);
            }
            Process process = processes.get(processId);
            if (process == null) {
                throw new PosixException("kill", Integer.toString(processId), Errno.ESRCH);
            }
            if (euid != 0 && process.uid != euid) {
                throw new PosixException("kill", Integer.toString(processId), Errno.EPERM);
            }
            if (signal == 0) {
                return;
            }
            signals.computeIfAbsent(processId, key -> new ArrayList<>()).add(signal);
            changed.signalAll();
            if (process.status != null) {
                return; // a zombie takes signals and ignores them
            }
            if (signal == Signals.KILL) {
                die(processId, Signals.KILL);
            } else if (process.child) {
                process.behaviour.signalled(new FakeChild(this, processId, process.spec), signal);
            } else if (defaultActionTerminates(signal)) {
                die(processId, signal);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ChildExit waitAny() {
        lock.lock();
        try {
            calls.add("waitAny");
            while (zombies.isEmpty()) {
                boolean anyChild = processes.values().stream().anyMatch(process -> process.child);
                if (!anyChild) {
                    throw new PosixException("waitpid", "-1", Errno.ECHILD);
                }
                changed.awaitUninterruptibly();
            }
            int child = zombies.removeFirst();
            Process process = processes.remove(child);
            reaped.add(child);
            changed.signalAll();
            return new ChildExit(child, process.status);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void mkdirs(String path, int mode) {
        lock.lock();
        try {
            calls.add("mkdirs " + path + " " + Integer.toOctalString(mode));
            List<String> prefixes = PathPrefixes.of(normalize(path));
            for (int i = 0; i < prefixes.size(); i++) {
                String directory = prefixes.get(i);
                Node existing = files.get(directory);
                if (existing != null) {
                    if (existing.type == TYPE_DIRECTORY) {
                        continue;
                    }
                    if (i == prefixes.size() - 1) {
                        throw new PosixException("mkdir", directory, Errno.EEXIST);
                    }
                    throw new PosixException("mkdir", prefixes.get(i + 1), Errno.ENOTDIR);
                }
                Node parent = files.get(parentOf(directory));
                if (!mayWrite(parent)) {
                    throw new PosixException("mkdir", directory, Errno.EACCES);
                }
                files.put(directory, new Node(TYPE_DIRECTORY, euid, egid, mode & 07777));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void chown(String path, int uid, int gid) {
        lock.lock();
        try {
            calls.add("chown " + path + " " + uid + ":" + gid);
            Node node = lookup("chown", path);
            boolean changesOwner = uid != -1 && uid != node.uid;
            boolean changesGroup = gid != -1 && gid != node.gid;
            if (euid != 0 && (changesOwner || changesGroup || node.uid != euid)) {
                throw new PosixException("chown", path, Errno.EPERM);
            }
            if (uid != -1) {
                node.uid = uid;
            }
            if (gid != -1) {
                node.gid = gid;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void chmod(String path, int mode) {
        lock.lock();
        try {
            calls.add("chmod " + path + " " + Integer.toOctalString(mode));
            Node node = lookup("chmod", path);
            if (euid != 0 && node.uid != euid) {
                throw new PosixException("chmod", path, Errno.EPERM);
            }
            node.mode = mode & 07777;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileStatus stat(String path) {
        lock.lock();
        try {
            calls.add("stat " + path);
            Node node = lookup("stat", path);
            return FileStatus.of(node.uid, node.gid, node.type | node.mode);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalInt groupId(String name) {
        lock.lock();
        try {
            calls.add("groupId " + name);
            Integer gid = groups.get(name);
            return gid == null ? OptionalInt.empty() : OptionalInt.of(gid);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int getpid() {
        lock.lock();
        try {
            return pid;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int geteuid() {
        lock.lock();
        try {
            return euid;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void becomeChildSubreaper() {
        lock.lock();
        try {
            calls.add("becomeChildSubreaper");
            childSubreaper = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalInt lockHolder(String path) {
        lock.lock();
        try {
            calls.add("lockHolder " + path);
            try {
                lookup("open", path);
            } catch (PosixException e) {
                if (e.errno() == Errno.ENOENT) {
                    return OptionalInt.empty();
                }
                throw e;
            }
            Integer holder = locks.get(normalize(path));
            // The kernel drops a process's locks when it ends, and F_GETLK does not see our own.
            if (holder == null || !isRunning(holder) || holder == pid) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(holder);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int listenUnix(String path, int backlog) {
        lock.lock();
        try {
            calls.add("listenUnix " + path + " " + backlog);
            if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
                throw new PosixException("bind", path, Errno.ENAMETOOLONG);
            }
            String normalized = normalize(path);
            if (files.containsKey(normalized)) {
                throw new PosixException("bind", path, Errno.EADDRINUSE);
            }
            Node parent;
            try {
                parent = lookup("bind", parentOf(normalized));
            } catch (PosixException e) {
                throw new PosixException("bind", path, e.errno());
            }
            if (parent.type != TYPE_DIRECTORY) {
                throw new PosixException("bind", path, Errno.ENOTDIR);
            }
            if (!mayWrite(parent)) {
                throw new PosixException("bind", path, Errno.EACCES);
            }
            files.put(normalized, new Node(TYPE_SOCKET, euid, egid, 0755)); // 0777 minus a umask of 022
            return openSocket(new ListeningSocket(nextInode++, normalized, backlog));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int listenTcp(String address, int port, int backlog) {
        lock.lock();
        try {
            String subject = address.contains(":") ? "[" + address + "]:" + port : address + ":" + port;
            calls.add("listenTcp " + subject + " " + backlog);
            if (port < 0 || port > 65535) {
                throw new PosixException("bind", subject, Errno.EINVAL);
            }
            // Port 0: the kernel picks a free one. Otherwise a listener conflicts on the same port with
            // the same address or, within one family, with the wildcard (IPV6_V6ONLY keeps families apart).
            for (String bound : boundPorts) {
                String boundHost = bound.substring(0, bound.lastIndexOf(':')).replaceAll("^\\[|\\]$", "");
                boolean sameFamily = boundHost.contains(":") == address.contains(":");
                boolean wildcard = Set.of("0.0.0.0", "::").contains(boundHost) || Set.of("0.0.0.0", "::").contains(address);
                if (port != 0 && bound.endsWith(":" + port) && sameFamily && (wildcard || boundHost.equals(address))) {
                    throw new PosixException("bind", subject, Errno.EADDRINUSE);
                }
            }
            if (port != 0) {
                boundPorts.add(subject);
            }
            return openSocket(new ListeningSocket(nextInode++, subject, backlog));
        } finally {
            lock.unlock();
        }
    }

    private int openSocket(ListeningSocket socket) {
        int fd = lowestFreeDescriptor();
        descriptors.put(fd, socket);
        return fd;
    }

    @Override
    public void listen(int fd, int backlog) {
        lock.lock();
        try {
            calls.add("listen fd " + fd + " " + backlog);
            listeningSocket("listen", fd).backlog = backlog;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long socketInode(int fd) {
        lock.lock();
        try {
            return listeningSocket("fstat", fd).inode;
        } finally {
            lock.unlock();
        }
    }

    private ListeningSocket listeningSocket(String operation, int fd) {
        OpenFile file = descriptors.get(fd);
        if (file == null) {
            throw new PosixException(operation, "fd " + fd, Errno.EBADF);
        }
        if (!(file instanceof ListeningSocket socket)) {
            throw new PosixException(operation, "fd " + fd, Errno.ENOTSOCK);
        }
        return socket;
    }

    /** The backlog last set on listening socket {@code fd}. */
    public int backlogOf(int fd) {
        lock.lock();
        try {
            return listeningSocket("backlogOf", fd).backlog;
        } finally {
            lock.unlock();
        }
    }

    /** The receiver's copies keep a listening socket bound, as the kernel's do; the fake never closes them. */
    @Override
    public void sendDescriptors(String address, byte[] datagram, int[] fds) {
        lock.lock();
        try {
            calls.add("sendDescriptors " + address + " " + fds.length);
            boolean abstractName = address.startsWith("@");
            if (address.isEmpty() || address.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + (abstractName ? 0 : 1) > 108) {
                throw new PosixException("sendmsg", address, address.isEmpty() ? Errno.EINVAL : Errno.ENAMETOOLONG);
            }
            List<Long> inodes = new ArrayList<>();
            for (int fd : fds) {
                OpenFile file = descriptors.get(fd);
                if (file == null) {
                    throw new PosixException("sendmsg", address, Errno.EBADF);
                }
                inodes.add(file instanceof ListeningSocket socket ? socket.inode : -1L);
            }
            List<Datagram> inbox = inboxes.get(address);
            if (inbox == null) {
                throw new PosixException("sendmsg", address,
                        abstractName || files.containsKey(normalize(address)) ? Errno.ECONNREFUSED : Errno.ENOENT);
            }
            for (int fd : fds) {
                if (descriptors.get(fd) instanceof ListeningSocket socket) {
                    socket.holders++;
                }
            }
            inbox.add(new Datagram(new String(datagram, java.nio.charset.StandardCharsets.UTF_8), List.copyOf(inodes)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unlink(String path) {
        lock.lock();
        try {
            calls.add("unlink " + path);
            Node node = lookup("unlink", path);
            if (node.type == TYPE_DIRECTORY) {
                throw new PosixException("unlink", path, Errno.EISDIR);
            }
            if (!mayWrite(files.get(parentOf(normalize(path))))) {
                throw new PosixException("unlink", path, Errno.EACCES);
            }
            files.remove(normalize(path));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int pidfdOpen(int processId) {
        lock.lock();
        try {
            calls.add("pidfd_open " + processId);
            if (processId <= 0) {
                throw new IllegalArgumentException("pidfd_open " + processId + ": a process is named by a positive pid");
            }
            if (!processes.containsKey(processId)) {
                throw new PosixException("pidfd_open", Integer.toString(processId), Errno.ESRCH);
            }
            int fd = lowestFreeDescriptor();
            descriptors.put(fd, new PidFd(processId));
            return fd;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitPidfd(int pidfd, int timeoutMillis) {
        return awaitUntil(timeoutMillis, () -> {
            if (!(descriptors.get(pidfd) instanceof PidFd watched)) {
                throw new PosixException("poll", "pidfd " + pidfd, Errno.EBADF);
            }
            Process process = processes.get(watched.pid());
            return process == null || process.status != null;
        });
    }

    /** Under the lock: true once {@code ready} holds, false when the time runs out (or the thread is interrupted). */
    private boolean awaitUntil(int timeoutMillis, BooleanSupplier ready) {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (!ready.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int pidfdGetfd(int pidfd, int targetFd) {
        lock.lock();
        try {
            calls.add("pidfd_getfd " + pidfd + " " + targetFd);
            if (!(descriptors.get(pidfd) instanceof PidFd watched)) {
                throw new PosixException("pidfd_getfd", "fd " + targetFd + " of pidfd " + pidfd, Errno.EBADF);
            }
            Process process = processes.get(watched.pid());
            if (process == null || process.status != null) {
                throw new PosixException("pidfd_getfd", "fd " + targetFd + " of pidfd " + pidfd, Errno.ESRCH);
            }
            OpenFile file = process.fds.get(targetFd);
            if (file == null) {
                throw new PosixException("pidfd_getfd", "fd " + targetFd + " of pidfd " + pidfd, Errno.EBADF);
            }
            if (file instanceof PipeEnd end) {
                end.pipe.acquire(end.reading);
            }
            if (file instanceof ListeningSocket socket) {
                socket.holders++; // our copy: bound until every copy is closed
            }
            int fd = lowestFreeDescriptor();
            descriptors.put(fd, file);
            return fd;
        } finally {
            lock.unlock();
        }
    }

    /** Models a pipe's or socket pair's reading end only, as the callers use it. */
    @Override
    public boolean awaitReadable(int fd, int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("poll fd " + fd + ": a timeout of " + timeoutMillis
                    + " ms would wait for ever");
        }
        lock.lock();
        try {
            calls.add("poll fd " + fd + " " + timeoutMillis + " ms");
        } finally {
            lock.unlock();
        }
        return awaitUntil(timeoutMillis, () -> {
            OpenFile file = descriptors.get(fd);
            if (file == null) {
                throw new PosixException("poll", "fd " + fd, Errno.EBADF);
            }
            if (!(file instanceof PipeEnd end) || !end.reading) {
                throw new UnsupportedOperationException("the fake polls only the reading end of a pipe, not fd " + fd);
            }
            return !end.pipe.buffer.isEmpty() || end.pipe.writers == 0 || end.pipe.readShut;
        });
    }

    @Override
    public ExitStatus waitPid(int processId) {
        lock.lock();
        try {
            calls.add("waitpid " + processId);
            if (processId <= 0) {
                throw new IllegalArgumentException(
                        "waitpid " + processId + ": only one child (pid > 0) may be waited for");
            }
            while (true) {
                Process process = processes.get(processId);
                if (process == null || !process.child) {
                    throw new PosixException("waitpid", Integer.toString(processId), Errno.ECHILD);
                }
                if (process.status != null) {
                    zombies.remove(Integer.valueOf(processId));
                    processes.remove(processId);
                    reaped.add(processId);
                    changed.signalAll();
                    return process.status;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * What a successful {@link #execInPlace} leaves: nothing of the caller runs
     * on, so this unwinds it; an Error, since no handler of the program may
     * catch its own end.
     */
    public static final class Replaced extends Error {
        private static final long serialVersionUID = 1L;
        public final transient String path;
        public final transient List<String> argv;
        public final transient List<String> environment;
        public final transient Set<Integer> inherited;
        /** The signals blocked and ignored across the exec, for the new program to take back. */
        public final transient Set<Integer> held;

        Replaced(String path, List<String> argv, List<String> environment, Set<Integer> inherited,
                 Set<Integer> held) {
            super("execve " + path, null, false, false);
            this.path = path;
            this.argv = List.copyOf(argv);
            this.environment = List.copyOf(environment);
            this.inherited = Set.copyOf(inherited);
            this.held = Set.copyOf(held);
        }
    }

    /** The signals {@link #takeBackSignals} was given, each call in order. */
    public List<Set<Integer>> signalsTakenBack() {
        lock.lock();
        try {
            return List.copyOf(takenBack);
        } finally {
            lock.unlock();
        }
    }

    /** Dispositions and masks are not modelled: this records the call and installs the handlers. */
    @Override
    public void takeBackSignals(Set<Integer> signals, Runnable installHandlers) {
        lock.lock();
        try {
            calls.add("takeBackSignals " + new java.util.TreeSet<>(signals));
            takenBack.add(Set.copyOf(signals));
        } finally {
            lock.unlock();
        }
        installHandlers.run();
    }

    /** Every successful {@link #execInPlace}, in order. */
    public List<Replaced> execs() {
        lock.lock();
        try {
            return List.copyOf(execs);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void execInPlace(String path, List<String> argv, List<String> environment, Set<Integer> inherited,
                            Set<Integer> held) {
        lock.lock();
        try {
            calls.add("execve " + path + " " + String.join(" ", argv));
            for (int fd : inherited) {
                if (!descriptors.containsKey(fd)) {
                    throw new PosixException("fcntl F_GETFD", "fd " + fd, Errno.EBADF);
                }
            }
            Node program = lookup("execve", path);
            if (program.type != TYPE_REGULAR || !mayExecute(program)) {
                throw new PosixException("execve", path, Errno.EACCES);
            }
            for (int signal : held) {
                if (signal < 1 || signal > Signals.MAX) {
                    throw new IllegalArgumentException("no signal " + signal);
                }
            }
            Replaced replaced = new Replaced(path, argv, environment, inherited, held);
            execs.add(replaced);
            throw replaced;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Process {@code processId} gets a copy of our descriptor {@code ourFd} as
     * its {@code targetFd}, as a daemon handed a socket by an earlier virtsup holds it.
     */
    public FakePosix giveDescriptor(int processId, int targetFd, int ourFd) {
        lock.lock();
        try {
            Process process = processes.get(processId);
            OpenFile file = descriptors.get(ourFd);
            if (process == null || file == null || targetFd < 3) {
                throw new IllegalStateException("cannot give fd " + ourFd + " to pid " + processId + " as " + targetFd);
            }
            process.fds.put(targetFd, file);
            if (file instanceof ListeningSocket socket) {
                socket.holders++;
                process.sockets.add(socket);
            }
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** A datagram socket bound at {@code address} (a path, or {@code @name}) that receives what is sent to it. */
    public FakePosix receiveDatagramsAt(String address) {
        lock.lock();
        try {
            inboxes.put(address, new ArrayList<>());
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** What was sent to {@code address} so far, oldest first. */
    public List<Datagram> datagramsAt(String address) {
        lock.lock();
        try {
            return List.copyOf(inboxes.getOrDefault(address, List.of()));
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the fake kernel

    /** Whether a signal left at its default disposition ends the process (STOP/TSTP/TTIN/TTOU not modelled). */
    static boolean defaultActionTerminates(int signal) {
        return switch (signal) {
            case Signals.CHLD, Signals.CONT, Signals.STOP, 20, 21, 22, 23, 28 -> false; // TSTP TTIN TTOU URG WINCH
            default -> signal >= 1 && signal <= Signals.MAX;
        };
    }

    void childWrite(int childPid, int target, byte[] bytes) {
        lock.lock();
        try {
            Process process = processes.get(childPid);
            if (process == null || process.status != null) {
                throw new IllegalStateException("pid " + childPid + " is not running: it cannot write");
            }
            PipeEnd end = process.stdio[target];
            if (end != null && !end.reading && end.pipe.readers > 0 && !end.pipe.readShut) {
                for (byte b : bytes) {
                    end.pipe.buffer.addLast(b);
                }
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void end(int processId, ExitStatus status) {
        lock.lock();
        try {
            Process process = processes.get(processId);
            if (process == null || process.status != null) {
                throw new IllegalStateException("pid " + processId + " is not running: it cannot end");
            }
            process.status = status;
            for (PipeEnd end : process.stdio) {
                if (end != null) {
                    end.pipe.release(end.reading);
                }
            }
            process.sockets.forEach(this::letGo);
            process.sockets.clear();
            if (process.child) {
                zombies.addLast(processId);
            } else {
                processes.remove(processId); // its own parent reaps it
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private FakePosix addNode(String path, Node node) {
        lock.lock();
        try {
            String normalized = normalize(path);
            if (files.containsKey(normalized)) {
                throw new IllegalStateException(path + " already exists in the fake");
            }
            String parent = parentOf(normalized);
            if (!files.containsKey(parent)) {
                addDirectory(parent, 0, 0, 0755);
            }
            if (files.get(parent).type != TYPE_DIRECTORY) {
                throw new IllegalStateException(parent + " is not a directory in the fake");
            }
            files.put(normalized, node);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** The node at {@code path}: ENOENT if it or a parent is missing, ENOTDIR if a parent is not a directory. */
    private Node lookup(String operation, String path) {
        String normalized = normalize(path);
        for (String prefix : PathPrefixes.of(normalized)) {
            Node parent = files.get(parentOf(prefix));
            if (parent.type != TYPE_DIRECTORY) {
                throw new PosixException(operation, path, Errno.ENOTDIR);
            }
            if (!files.containsKey(prefix)) {
                throw new PosixException(operation, path, Errno.ENOENT);
            }
        }
        return files.get(normalized);
    }

    private boolean mayExecute(Node node) {
        if (euid == 0) {
            return (node.mode & 0111) != 0;
        }
        return (node.mode & permissionBits(node) & 0111) != 0;
    }

    private boolean mayWrite(Node node) {
        return euid == 0 || (node.mode & permissionBits(node) & 0222) != 0;
    }

    /** The owner's, the group's or the others' bits, whichever class this user falls in. */
    private int permissionBits(Node node) {
        if (node.uid == euid) {
            return 0700;
        }
        return node.gid == egid ? 0070 : 0007;
    }

    private int nextFreePid() {
        while (processes.containsKey(nextPid) || nextPid == pid) {
            nextPid++;
        }
        return nextPid++;
    }

    private int lowestFreeDescriptor() {
        int fd = 0;
        while (descriptors.containsKey(fd)) {
            fd++;
        }
        return fd;
    }

    private static String normalize(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("FakePosix knows only absolute paths, got: " + path);
        }
        List<String> prefixes = PathPrefixes.of(path);
        return prefixes.isEmpty() ? "/" : prefixes.get(prefixes.size() - 1);
    }

    private static String parentOf(String normalized) {
        int slash = normalized.lastIndexOf('/');
        return slash <= 0 ? "/" : normalized.substring(0, slash);
    }

    private static final class Node {
        final int type;
        int uid;
        int gid;
        int mode;

        Node(int type, int uid, int gid, int mode) {
            this.type = type;
            this.uid = uid;
            this.gid = gid;
            this.mode = mode;
        }
    }

    private static final class Process {
        final int pid;
        final int uid;
        final boolean child;
        final SpawnSpec spec;
        final ChildBehaviour behaviour;
        final PipeEnd[] stdio = new PipeEnd[3];
        /** Its descriptors from 3 on that {@link #pidfdGetfd} can copy: those it was passed, or given. */
        final Map<Integer, OpenFile> fds = new HashMap<>();
        /** Listening sockets it was handed, bound while it runs. */
        final List<ListeningSocket> sockets = new ArrayList<>();
        ExitStatus status;

        Process(int pid, int uid, boolean child, SpawnSpec spec, ChildBehaviour behaviour) {
            this.pid = pid;
            this.uid = uid;
            this.child = child;
            this.spec = spec;
            this.behaviour = behaviour;
        }
    }

    private sealed interface OpenFile permits Inherited, PipeEnd, ListeningSocket, PidFd {}

    /** A pid file descriptor: names process {@code pid} for good. */
    private record PidFd(int pid) implements OpenFile {}

    /** A socket of {@link #listenUnix} or {@link #listenTcp}; {@code address} is its path or host:port. */
    /** One holder fewer; the last one frees the address (a unix socket's file stays, as the kernel leaves it). */
    private void letGo(ListeningSocket socket) {
        if (--socket.holders == 0) {
            boundPorts.remove(socket.address);
        }
    }

    private static final class ListeningSocket implements OpenFile {
        final long inode;
        final String address;
        int backlog;
        /** This process's descriptor and every running child handed the socket. */
        int holders = 1;

        ListeningSocket(long inode, String address, int backlog) {
            this.inode = inode;
            this.address = address;
            this.backlog = backlog;
        }
    }

    /** One of the descriptors 0-2 the process was started with (a terminal, a journal stream...). */
    private record Inherited() implements OpenFile {}

    private record PipeEnd(FakePipe pipe, boolean reading) implements OpenFile {}

    private static final class FakePipe {
        final Deque<Byte> buffer = new ArrayDeque<>();
        final boolean socket;
        int readers = 1;
        int writers = 1;
        boolean readShut;

        FakePipe(boolean socket) {
            this.socket = socket;
        }

        void acquire(boolean reading) {
            if (reading) {
                readers++;
            } else {
                writers++;
            }
        }

        void release(boolean reading) {
            if (reading) {
                readers--;
            } else {
                writers--;
            }
        }
    }
}

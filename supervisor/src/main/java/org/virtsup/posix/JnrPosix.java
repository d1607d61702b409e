package org.virtsup.posix;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * {@link Posix} on Linux x86_64: libc bound directly through jnr-ffi, so that
 * every errno is read right after its call. jnr-posix is not used: its spawn
 * leaks the JVM's descriptors and blocked signals, and loading it only for
 * stat would cost about 180 ms more at start. Loading this class is what
 * loads jnr: code that never creates one (the CLI client) stays free of it.
 */
public final class JnrPosix implements Posix {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;
    private static final int EINTR = 4;
    private static final int EBADF = 9;
    private static final int EEXIST = 17;
    private static final int ERANGE = 34;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERGROUPS = 59;
    /** More than any process has (NGROUPS_MAX is 65536): a first guess, grown on ERANGE. */
    private static final int PEER_GROUPS_GUESS = 64;
    // x86_64 fcntl: F_GETLK with a 64-bit off_t; struct flock is
    // {short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid;} = 32 bytes.
    private static final int F_GETLK = 5;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;
    private static final int FLOCK_SIZE = 32;
    private static final int FLOCK_TYPE = 0;
    private static final int FLOCK_WHENCE = 2;
    private static final int FLOCK_START = 8;
    private static final int FLOCK_LENGTH = 16;
    private static final int FLOCK_PID = 24;
    // struct group {char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem;}
    private static final int GROUP_GID_OFFSET_WORDS = 2;
    // x86_64 struct stat (144 bytes): st_dev, st_ino, st_nlink (8 bytes each),
    // then st_mode, st_uid, st_gid (4 bytes each). Allocated with room to spare.
    private static final int STAT_SIZE = 256;
    private static final int STAT_MODE = 24;
    private static final int STAT_UID = 28;
    private static final int STAT_GID = 32;
    // x86_64 glibc struct sigaction (152 bytes): the handler, a 128-byte
    // sa_mask, then int sa_flags.
    private static final int SIGACTION_SIZE = 256;
    private static final int SIGACTION_FLAGS = 136;
    private static final int SIGCHLD = 17;
    private static final long SIG_IGN = 1;
    private static final int SA_NOCLDWAIT = 2;

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames = new ErrnoNames();
    private final NativeSpawn nativeSpawn;
    private final NativeSockets nativeSockets;
    private final NativePidfd nativePidfd;
    private final NativeWaits nativeWaits;
    private final Object groupDatabase = new Object();

    /**
     * Loads the bindings. Also puts SIGCHLD back to its default disposition if
     * this process was started with it ignored: children would otherwise be
     * reaped by the kernel and never reported by {@link #waitAny()}.
     */
    public JnrPosix() {
        this(true);
    }

    /** {@code useCloseFrom} false closes descriptors from a /proc/self/fd listing even on glibc 2.34+. */
    JnrPosix(boolean useCloseFrom) {
        Platform platform = Platform.getNativePlatform();
        if (platform.getOS() != Platform.OS.LINUX || platform.getCPU() != Platform.CPU.X86_64) {
            // The struct layouts below (stat, flock, group) are x86_64 Linux's.
            throw new IllegalStateException("virtsup's system calls are written for Linux on x86_64, not "
                    + platform.getOS() + " on " + platform.getCPU());
        }
        this.libc = LibraryLoader.create(LibC.class).load(platform.getStandardCLibraryName());
        this.runtime = Runtime.getRuntime(libc);
        this.nativeSpawn = new NativeSpawn(libc, runtime, errnoNames, useCloseFrom);
        this.nativeSockets = new NativeSockets(libc, runtime, errnoNames);
        this.nativePidfd = new NativePidfd(libc, runtime, errnoNames);
        this.nativeWaits = new NativeWaits(libc, runtime, errnoNames);
        restoreChildStatuses();
    }

    /**
     * An ignored SIGCHLD (or SA_NOCLDWAIT) is inherited across exec and makes
     * the kernel reap children itself: waitAny would then block until every
     * child is gone and fail with ECHILD, never reporting one exit. When this
     * process was started that way, SIGCHLD goes back to its default.
     */
    private void restoreChildStatuses() {
        Pointer action = Memory.allocateDirect(runtime, SIGACTION_SIZE, true);
        if (libc.sigaction(SIGCHLD, null, action) != 0) {
            throw failure("sigaction", "SIGCHLD");
        }
        if (action.getAddress(0) != SIG_IGN && (action.getInt(SIGACTION_FLAGS) & SA_NOCLDWAIT) == 0) {
            return;
        }
        Pointer defaults = Memory.allocateDirect(runtime, SIGACTION_SIZE, true); // SIG_DFL, no flags
        if (libc.sigaction(SIGCHLD, defaults, null) != 0) {
            throw failure("sigaction", "SIGCHLD");
        }
    }

    /** Whether spawn closes descriptors with glibc's closefrom action (glibc 2.34+). */
    public boolean closesWithCloseFrom() {
        return nativeSpawn.closesWithCloseFrom();
    }

    @Override
    public int spawn(SpawnSpec spec) {
        return nativeSpawn.spawn(spec);
    }

    @Override
    public Pipe pipe() {
        int[] fds = new int[2];
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw failure("pipe", "");
        }
        return new Pipe(fds[0], fds[1]);
    }

    @Override
    public Pipe socketPair() {
        return nativeSockets.socketPair();
    }

    @Override
    public void shutdownRead(int fd) {
        nativeSockets.shutdownRead(fd);
    }

    @Override
    public boolean peerClosed(int fd) {
        return nativeWaits.peerClosed(fd);
    }

    /**
     * The kernel answers ERANGE with the size it needs when the buffer is too
     * small; the groups may not change in between (they were fixed at connect).
     */
    @Override
    public int[] peerGroups(int fd) {
        int capacity = PEER_GROUPS_GUESS;
        while (true) {
            Pointer buffer = Memory.allocateDirect(runtime, capacity * Integer.BYTES, true);
            int[] length = {capacity * Integer.BYTES};
            if (libc.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buffer, length) == 0) {
                int[] groups = new int[length[0] / Integer.BYTES];
                buffer.get(0, groups, 0, groups.length);
                return groups;
            }
            int errno = runtime.getLastError();
            if (errno != ERANGE || length[0] <= capacity * Integer.BYTES) {
                throw errnoNames.exception("getsockopt SO_PEERGROUPS", "fd " + fd, errno);
            }
            capacity = length[0] / Integer.BYTES;
        }
    }

    @Override
    public int read(int fd, byte[] buffer) {
        while (true) {
            long count = libc.read(fd, buffer, buffer.length);
            if (count >= 0) {
                return (int) count;
            }
            int errno = runtime.getLastError();
            if (errno != EINTR) {
                throw errnoNames.exception("read", "fd " + fd, errno);
            }
        }
    }

    @Override
    public void close(int fd) {
        // On Linux the descriptor is gone even when close reports EINTR: never retry.
        if (libc.close(fd) != 0 && runtime.getLastError() != EINTR) {
            throw failure("close", "fd " + fd);
        }
    }

    @Override
    public void kill(int pid, int signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("kill " + pid + ": only single processes (pid > 0) may be signalled");
        }
        if (libc.kill(pid, signal) != 0) {
            throw failure("kill", Integer.toString(pid));
        }
    }

    @Override
    public ChildExit waitAny() {
        int[] status = new int[1];
        while (true) {
            int pid = libc.waitpid(-1, status, 0);
            if (pid > 0) {
                return new ChildExit(pid, ExitStatus.fromWaitStatus(status[0]));
            }
            int errno = runtime.getLastError();
            if (errno != EINTR) {
                throw errnoNames.exception("waitpid", "-1", errno);
            }
        }
    }

    @Override
    public void mkdirs(String path, int mode) {
        List<String> prefixes = PathPrefixes.of(path);
        for (int i = 0; i < prefixes.size(); i++) {
            String directory = prefixes.get(i);
            if (libc.mkdir(directory, mode) == 0) {
                chmod(directory, mode); // exactly the mode asked for, whatever the umask
                continue;
            }
            int errno = runtime.getLastError();
            if (errno != EEXIST) {
                throw errnoNames.exception("mkdir", directory, errno);
            }
            // An existing non-directory parent shows up as ENOTDIR on the next mkdir.
            if (i == prefixes.size() - 1 && !stat(directory).directory()) {
                throw errnoNames.exception("mkdir", directory, EEXIST);
            }
        }
    }

    @Override
    public void chown(String path, int uid, int gid) {
        if (libc.chown(path, uid, gid) != 0) {
            throw failure("chown", path);
        }
    }

    @Override
    public void chmod(String path, int mode) {
        if (libc.chmod(path, mode) != 0) {
            throw failure("chmod", path);
        }
    }

    @Override
    public FileStatus stat(String path) {
        Pointer buffer = Memory.allocateDirect(runtime, STAT_SIZE, true);
        if (libc.stat(path, buffer) != 0) {
            throw failure("stat", path);
        }
        return FileStatus.of(buffer.getInt(STAT_UID), buffer.getInt(STAT_GID), buffer.getInt(STAT_MODE));
    }

    @Override
    public OptionalInt groupId(String name) {
        // getgrnam returns a static buffer: one caller at a time.
        synchronized (groupDatabase) {
            runtime.setLastError(0);
            Pointer group = libc.getgrnam(name);
            if (group == null) {
                int errno = runtime.getLastError();
                // "Not found" is 0, ENOENT, ESRCH, EBADF or EPERM depending on the NSS module.
                if (errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF || errno == EPERM) {
                    return OptionalInt.empty();
                }
                throw errnoNames.exception("getgrnam", name, errno);
            }
            return OptionalInt.of(group.getInt((long) GROUP_GID_OFFSET_WORDS * runtime.addressSize()));
        }
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public int geteuid() {
        return libc.geteuid();
    }

    @Override
    public void becomeChildSubreaper() {
        if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw failure("prctl PR_SET_CHILD_SUBREAPER", Integer.toString(getpid()));
        }
    }

    /**
     * Asks for a write lock over the whole file: it conflicts with any lock of
     * another process, libvirt's one-byte lock on its pid files included
     * (virPidFileAcquirePath locks byte 0, length 1). A read-only descriptor is
     * enough for F_GETLK.
     */
    @Override
    public OptionalInt lockHolder(String path) {
        int fd = libc.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int errno = runtime.getLastError();
            if (errno == ENOENT) {
                return OptionalInt.empty();
            }
            throw errnoNames.exception("open", path, errno);
        }
        try {
            Pointer lock = Memory.allocateDirect(runtime, FLOCK_SIZE, true);
            lock.putShort(FLOCK_TYPE, F_WRLCK);
            lock.putShort(FLOCK_WHENCE, SEEK_SET);
            lock.putLong(FLOCK_START, 0);
            lock.putLong(FLOCK_LENGTH, 0); // 0 = to the end of the file, however it grows
            if (libc.fcntl(fd, F_GETLK, lock) != 0) {
                throw failure("fcntl F_GETLK", path);
            }
            return lock.getShort(FLOCK_TYPE) == F_UNLCK ? OptionalInt.empty() : OptionalInt.of(lock.getInt(FLOCK_PID));
        } finally {
            libc.close(fd);
        }
    }

    @Override
    public int listenUnix(String path, int backlog) {
        return nativeSockets.listenUnix(path, backlog);
    }

    @Override
    public int listenTcp(String address, int port, int backlog) {
        return nativeSockets.listenTcp(address, port, backlog);
    }

    @Override
    public void listen(int fd, int backlog) {
        nativeSockets.listen(fd, backlog);
    }

    @Override
    public long socketInode(int fd) {
        return nativeSockets.socketInode(fd);
    }

    @Override
    public void unlink(String path) {
        nativeSockets.unlink(path);
    }

    @Override
    public void sendDescriptors(String address, byte[] datagram, int[] fds) {
        nativeSockets.sendDescriptors(address, datagram, fds);
    }

    @Override
    public int pidfdOpen(int pid) {
        return nativePidfd.open(pid);
    }

    @Override
    public boolean awaitPidfd(int pidfd, int timeoutMillis) {
        return nativePidfd.awaitExit(pidfd, timeoutMillis);
    }

    @Override
    public int pidfdGetfd(int pidfd, int targetFd) {
        return nativePidfd.getfd(pidfd, targetFd);
    }

    @Override
    public boolean awaitReadable(int fd, int timeoutMillis) {
        return nativeWaits.awaitReadable(fd, timeoutMillis);
    }

    @Override
    public ExitStatus waitPid(int pid) {
        return nativeWaits.waitPid(pid);
    }

    @Override
    public void execInPlace(String path, List<String> argv, List<String> environment, Set<Integer> inherited,
                            Set<Integer> held) {
        new NativeExec(libc, runtime, errnoNames).execInPlace(path, argv, environment, inherited, held);
    }

    @Override
    public void takeBackSignals(Set<Integer> signals, Runnable installHandlers) {
        new NativeExec(libc, runtime, errnoNames).takeBackSignals(signals, installHandlers);
    }

    private PosixException failure(String operation, String subject) {
        return errnoNames.exception(operation, subject, runtime.getLastError());
    }
}

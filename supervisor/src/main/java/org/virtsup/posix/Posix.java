package org.virtsup.posix;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The only way the supervisor touches processes, file descriptors and file
 * ownership. {@link JnrPosix} talks to the kernel; the strict fake in the tests
 * fails the way the kernel does. Every failure is a {@link PosixException}
 * naming the operation, its subject and errno. Implementations are
 * thread-safe: a reaper thread may block in {@link #waitAny()} while another
 * thread spawns and signals.
 */
public interface Posix {

    /**
     * Starts {@code spec.path()} with posix_spawn. The child gets exactly file
     * descriptors 0-2 (the given ones, or /dev/null for -1) and the passed ones
     * as 3, 4, ... (without close-on-exec), an empty signal mask, default signal
     * dispositions and a process group of its own.
     *
     * @return the child's pid
     * @throws PosixException ENOENT or EACCES when the program cannot be
     *         executed, EBADF when a given descriptor is not open
     */
    int spawn(SpawnSpec spec);

    /** A pipe whose both ends are close-on-exec in this process. */
    Pipe pipe();

    /**
     * A connected pair of unix stream sockets used one way, as a pipe that can
     * be shut: {@link #shutdownRead} ends a read blocked on the read end even
     * while some process still holds the write end. Both ends are
     * close-on-exec in this process.
     */
    Pipe socketPair();

    /**
     * Shuts the reading side of a socket down: a read blocked on it returns 0
     * (end of file) at once, and so does every later one; the descriptor stays
     * open until {@link #close}d.
     *
     * @throws PosixException ENOTSOCK for a descriptor that is not a socket
     *         (a pipe), EBADF for one that is not open
     */
    void shutdownRead(int fd);

    /**
     * Whether the process at the other end of the connected socket {@code fd}
     * has closed it (POLLHUP). A peer that only shut its writing side down (a
     * half-close) may still wait for an answer, and does not count. Never
     * blocks.
     *
     * @throws PosixException EBADF for a descriptor that is not open
     */
    boolean peerClosed(int fd);

    /**
     * The groups of the process at the other end of a connected unix socket,
     * as the kernel recorded them when the connection was made (SO_PEERGROUPS,
     * Linux 4.13+): the supplementary groups only, not the primary gid.
     *
     * @throws PosixException ENOTSOCK, EBADF, ENOPROTOOPT on a kernel before 4.13
     */
    int[] peerGroups(int fd);

    /**
     * Reads up to {@code buffer.length} bytes, blocking until some arrive.
     *
     * @return the number of bytes read, 0 at end of file
     */
    int read(int fd, byte[] buffer);

    void close(int fd);

    /**
     * Sends {@code signal} (see {@link Signals}) to exactly one process;
     * signal 0 only checks that the pid exists (a zombie does).
     *
     * @throws IllegalArgumentException when {@code pid <= 0}: those address
     *         process groups or every process, which the supervisor never wants
     * @throws PosixException ESRCH when there is no such process (a reaped
     *         child included), EPERM when it belongs to someone else
     */
    void kill(int pid, int signal);

    /**
     * Blocks until some child of this process has ended and reaps it. Not
     * interruptible: the calling thread returns only when a child ends. Any
     * child is reaped, also one that is not a daemon (an orphan adopted as
     * PID 1 or as subreaper).
     *
     * @throws PosixException ECHILD at once when this process has no child at
     *         all, running or ended: a reaper must then wait for the next
     *         spawn rather than call again in a loop
     */
    ChildExit waitAny();

    /**
     * Creates {@code path} and its missing parents, each with exactly
     * {@code mode} (whatever the umask). Directories that exist are left as
     * they are.
     *
     * @throws PosixException EEXIST when {@code path} is an existing
     *         non-directory, ENOTDIR when one of its parents is
     */
    void mkdirs(String path, int mode);

    /** -1 leaves the uid or the gid unchanged. */
    void chown(String path, int uid, int gid);

    void chmod(String path, int mode);

    /** Follows symbolic links, like stat(2). */
    FileStatus stat(String path);

    /** The gid of the group called {@code name}, empty when there is none. */
    OptionalInt groupId(String name);

    int getpid();

    int geteuid();

    /**
     * Makes orphaned descendants be re-parented to this process (as they are
     * to PID 1), so that {@link #waitAny()} reaps them.
     */
    void becomeChildSubreaper();

    /**
     * The pid of a process holding a POSIX record lock (fcntl) that would
     * conflict with a write lock on {@code path}, as libvirt's daemons hold on
     * their pid files. Empty when there is none, or no such file. Locks held by
     * this very process are not seen (fcntl F_GETLK reports only other
     * processes' locks), nor flock(2) locks; a holder in another pid namespace
     * is reported as 0, an open file description lock (F_OFD_SETLK) as -1.
     */
    OptionalInt lockHolder(String path);
    /**
     * A unix stream socket bound to {@code path} and listening, close-on-exec
     * in this process ({@link SpawnSpec#passed()} hands it to a child). The
     * socket file gets mode 0777 minus the umask: the caller sets owner, group
     * and mode.
     *
     * @return its descriptor
     * @throws PosixException EADDRINUSE when {@code path} exists (a stale socket
     *         file included), ENOENT when its directory does not,
     *         ENAMETOOLONG when it does not fit a sockaddr_un (107 bytes)
     */
    int listenUnix(String path, int backlog);

    /**
     * A TCP socket bound to the numeric IPv4 or IPv6 {@code address} and
     * {@code port} and listening, close-on-exec, with SO_REUSEADDR (and
     * IPV6_V6ONLY for IPv6) as libvirt sets on its own.
     *
     * @throws PosixException EADDRINUSE when the port is taken, EADDRNOTAVAIL
     *         when the address is not one of this host's
     */
    int listenTcp(String address, int port, int backlog);

    /**
     * listen(2) again on a listening socket: sets its backlog (a daemon that
     * was handed the socket may have set its own).
     */
    void listen(int fd, int backlog);

    /**
     * The inode of the open socket {@code fd}, as /proc/PID/fd names it
     * ({@code socket:[INODE]}).
     *
     * @throws PosixException EBADF when it is not open, ENOTSOCK when it is not a socket
     */
    long socketInode(int fd);

    /** Removes a file (a socket file included); ENOENT when there is none. */
    void unlink(String path);

    /**
     * A pid file descriptor for process {@code pid} (pidfd_open, Linux 5.3+),
     * close-on-exec: it names that process for good, even once its pid is
     * reused, and becomes readable when the process ends (see
     * {@link #awaitPidfd}), whether or not it is this process's child.
     *
     * @throws PosixException ESRCH when there is no such process, ENOSYS on an older kernel
     */
    int pidfdOpen(int pid);

    /**
     * Waits up to {@code timeoutMillis} for the process of {@code pidfd} to end.
     *
     * @return true once it has ended (a zombie not yet reaped included)
     * @throws PosixException EBADF when {@code pidfd} is not open
     */
    boolean awaitPidfd(int pidfd, int timeoutMillis);

    /**
     * A copy, here, of descriptor {@code targetFd} of the process of
     * {@code pidfd} (pidfd_getfd, Linux 5.6+): the same open file
     * description, as dup(2) gives, close-on-exec.
     *
     * @throws PosixException EBADF when the process has no such descriptor,
     *         ESRCH when it has ended, EPERM when this process may not
     *         ptrace it, ENOSYS on an older kernel
     */
    int pidfdGetfd(int pidfd, int targetFd);

    /**
     * Waits up to {@code timeoutMillis} until a read of {@code fd} would not
     * block: bytes are there, or every writer has closed it (the read then
     * returns 0).
     *
     * @return false when the time ran out first
     * @throws IllegalArgumentException when {@code timeoutMillis} is negative (poll's "for ever")
     * @throws PosixException EBADF when {@code fd} is not open
     */
    boolean awaitReadable(int fd, int timeoutMillis);

    /**
     * Blocks until the child {@code pid} has ended, and reaps it. Only that
     * child: a reaper blocked in {@link #waitAny()} at the same time never loses
     * another child's exit to this call. The reverse can happen: such a reaper
     * may reap {@code pid} first, and this call then fails with ECHILD.
     *
     * @throws IllegalArgumentException when {@code pid <= 0} (process groups, any child)
     * @throws PosixException ECHILD when {@code pid} is not a child of this process
     *         that is still to be reaped
     */
    ExitStatus waitPid(int pid);

    /**
     * Replaces this process's program by {@code path} (execve), keeping its
     * pid, its children and, of its descriptors, only 0-2 and
     * {@code inherited}: every other one is marked close-on-exec first, the
     * {@code inherited} ones are cleared of it. The calling thread's signal
     * mask is emptied, as a new program expects, but for {@code held}: those
     * signals are blocked and set to be ignored, so that one sent while the
     * new program starts is neither fatal (its default action) nor lost (a
     * blocked signal is kept pending even when ignored): it waits until the
     * new program takes them back ({@link #takeBackSignals}). A JVM leaves an
     * ignored TERM, INT or HUP blocked in all its threads. Returns only on
     * failure: then the {@code inherited} descriptors are close-on-exec
     * again, the signals' mask and actions are restored, and the exception
     * names the errno.
     *
     * @param argv        the new program's argv, argv[0] included
     * @param environment its whole environment, as NAME=value strings
     * @throws PosixException ENOENT, EACCES, ENOEXEC... as execve(2) fails
     */
    void execInPlace(String path, List<String> argv, List<String> environment, Set<Integer> inherited,
                     Set<Integer> held);

    /**
     * The other side of {@link #execInPlace}'s {@code held} signals: puts
     * each back to its default action (a pending one stays pending), runs
     * {@code installHandlers}, then unblocks them in the calling thread, which
     * delivers any that came meanwhile to the handlers just installed.
     */
    void takeBackSignals(Set<Integer> signals, Runnable installHandlers);

    /**
     * Sends one datagram, with a copy of each of {@code fds} attached
     * (SCM_RIGHTS), to the unix datagram socket at {@code address}: a path,
     * or {@code @name} in the abstract namespace, as {@code NOTIFY_SOCKET}
     * names them. The receiver gets descriptors of its own for the same open
     * files; this process keeps its own.
     *
     * @throws PosixException ENOENT or ECONNREFUSED when nothing receives at
     *         {@code address}, EBADF when one of {@code fds} is not open,
     *         ENAMETOOLONG when the address does not fit a sockaddr_un
     */
    void sendDescriptors(String address, byte[] datagram, int[] fds);
}

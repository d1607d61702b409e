package org.virtsup.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Encoding;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Internal to {@link JnrPosix} (public only because jnr-ffi implements it from
 * another class loader): the libc functions it binds itself, through jnr-ffi. Functions
 * that report failure through errno save it right after the call
 * ({@code @SaveError}; read back with {@code Runtime.getLastError()}). The
 * posix_spawn family returns its error number instead of setting errno.
 * Strings are UTF-8 whatever the JVM's default charset.
 */
@Encoding("UTF-8")
public interface LibC {

    @IgnoreError
    int posix_spawn(@Out int[] pid, String path, Pointer fileActions, Pointer attributes,
                    Pointer argv, Pointer envp);

    @IgnoreError
    int posix_spawn_file_actions_init(Pointer fileActions);

    @IgnoreError
    int posix_spawn_file_actions_destroy(Pointer fileActions);

    @IgnoreError
    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    @IgnoreError
    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

    @IgnoreError
    int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);

    /** glibc 2.34+. */
    @IgnoreError
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int lowFd);

    @IgnoreError
    int posix_spawnattr_init(Pointer attributes);

    @IgnoreError
    int posix_spawnattr_destroy(Pointer attributes);

    @IgnoreError
    int posix_spawnattr_setflags(Pointer attributes, short flags);

    @IgnoreError
    int posix_spawnattr_setsigmask(Pointer attributes, @In Pointer sigset);

    @IgnoreError
    int posix_spawnattr_setsigdefault(Pointer attributes, @In Pointer sigset);

    @IgnoreError
    int posix_spawnattr_setpgroup(Pointer attributes, int processGroup);

    @SaveError
    int waitpid(int pid, @Out int[] status, int options);

    @SaveError
    int pipe2(@Out int[] fds, int flags);

    @SaveError
    int socketpair(int domain, int type, int protocol, @Out int[] fds);

    @SaveError
    int shutdown(int fd, int how);

    /** {@code fds}: struct pollfd entries of 8 bytes (int fd, short events, short revents). */
    @SaveError
    int poll(@In @Out byte[] fds, long count, int timeoutMillis);

    @SaveError
    int getsockopt(int fd, int level, int option, Pointer value, @In @Out int[] length);

    @SaveError
    @ssize_t
    long read(int fd, @Out byte[] buffer, @size_t long count);

    @SaveError
    int close(int fd);

    @SaveError
    int kill(int pid, int signal);

    @SaveError
    int mkdir(String path, int mode);

    @SaveError
    int chmod(String path, int mode);

    @SaveError
    int chown(String path, int uid, int gid);

    @SaveError
    int open(String path, int flags);

    /** glibc 2.33+ exports stat itself (before, only __xstat). */
    @SaveError
    int stat(String path, Pointer statBuffer);

    @SaveError
    int fcntl(int fd, int command, Pointer argument);

    /** F_GETFD and F_SETFD: an int argument (ignored by F_GETFD). */
    @SaveError
    int fcntl(int fd, int command, long argument);

    @SaveError
    int execve(String path, Pointer argv, Pointer envp);

    /** In a threaded process, the calling thread's mask (glibc: pthread_sigmask). */
    @SaveError
    int sigprocmask(int how, @In Pointer set, @Out Pointer old);

    @SaveError
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    @SaveError
    Pointer getgrnam(String name);

    @SaveError
    int sigaction(int signal, @In Pointer action, @Out Pointer previous);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int socket, @In Pointer address, int length);

    @SaveError
    int listen(int socket, int backlog);

    @SaveError
    int setsockopt(int socket, int level, int option, @In Pointer value, int length);

    /** glibc 2.33+ exports fstat itself, as stat. */
    @SaveError
    int fstat(int fd, Pointer statBuffer);

    @SaveError
    int unlink(String path);

    /** Raw system calls with up to three integer arguments (pidfd_open, pidfd_getfd). */
    @SaveError
    long syscall(long number, long arg1, long arg2, long arg3);

    @SaveError
    int poll(Pointer fds, long count, int timeoutMillis);

    @IgnoreError
    int getpid();

    @IgnoreError
    int geteuid();

    /** For {@link CredentialReceiver}: a datagram with its SCM_CREDENTIALS. */
    @SaveError
    @jnr.ffi.types.ssize_t
    long recvmsg(int socket, Pointer message, int flags);

    /** For {@link Posix#sendDescriptors}: a datagram with its SCM_RIGHTS. */
    @SaveError
    @jnr.ffi.types.ssize_t
    long sendmsg(int socket, @In Pointer message, int flags);
}

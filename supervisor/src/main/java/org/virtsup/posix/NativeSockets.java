package org.virtsup.posix;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Listening sockets for the daemons, created the way systemd's socket units
 * create them: close-on-exec in this process (a spawn hands them on by dup2),
 * bound and listening before any daemon runs.
 */
final class NativeSockets {
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SHUT_RD = 0;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int ENAMETOOLONG = 36;
    private static final int EINTR = 4;
    private static final int EINVAL = 22;
    // struct sockaddr_un: sa_family_t (2 bytes), then sun_path[108], NUL-terminated here.
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_SIZE = 108;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;
    // x86_64 struct stat: st_ino is the second 8-byte field.
    private static final int STAT_SIZE = 256;
    private static final int STAT_INODE = 8;
    private static final int STAT_MODE = 24;

    private final LibC libc;
    private final Runtime runtime;
    private final ErrnoNames errnoNames;

    NativeSockets(LibC libc, Runtime runtime, ErrnoNames errnoNames) {
        this.libc = libc;
        this.runtime = runtime;
        this.errnoNames = errnoNames;
    }

    int listenUnix(String path, int backlog) {
        byte[] encoded = path.getBytes(StandardCharsets.UTF_8);
        if (encoded.length >= SUN_PATH_SIZE) {
            throw errnoNames.exception("bind", path, ENAMETOOLONG);
        }
        Pointer address = Memory.allocateDirect(runtime, SUN_PATH_OFFSET + SUN_PATH_SIZE, true);
        address.putShort(0, (short) AF_UNIX);
        address.put(SUN_PATH_OFFSET, encoded, 0, encoded.length);
        return bindAndListen(AF_UNIX, address, SUN_PATH_OFFSET + encoded.length + 1, backlog, path, false);
    }

    int listenTcp(String host, int port, int backlog) {
        String subject = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        if (port < 0 || port > 65535) {
            throw errnoNames.exception("bind", subject, EINVAL);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw errnoNames.exception("bind", subject, EINVAL);
        }
        byte[] raw = address.getAddress();
        Pointer sockaddr;
        int length;
        int family;
        if (address instanceof Inet4Address) {
            family = AF_INET;
            length = SOCKADDR_IN_SIZE;
            sockaddr = Memory.allocateDirect(runtime, length, true);
            sockaddr.put(4, raw, 0, 4);
        } else {
            family = AF_INET6;
            length = SOCKADDR_IN6_SIZE;
            sockaddr = Memory.allocateDirect(runtime, length, true);
            sockaddr.put(8, raw, 0, 16);
            sockaddr.putInt(24, ((Inet6Address) address).getScopeId());
        }
        sockaddr.putShort(0, (short) family);
        sockaddr.putByte(2, (byte) (port >> 8)); // network byte order
        sockaddr.putByte(3, (byte) port);
        return bindAndListen(family, sockaddr, length, backlog, subject, true);
    }

    private int bindAndListen(int family, Pointer address, int length, int backlog, String subject, boolean ip) {
        int fd = libc.socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", subject);
        }
        try {
            if (ip) {
                // As libvirt binds its own TCP sockets: a restart finds the port free at once, and an
                // IPv6 socket leaves the IPv4 port to its own socket.
                setOption(fd, SOL_SOCKET, SO_REUSEADDR, subject);
                if (family == AF_INET6) {
                    setOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, subject);
                }
            }
            if (libc.bind(fd, address, length) != 0) {
                throw failure("bind", subject);
            }
            if (libc.listen(fd, backlog) != 0) {
                throw failure("listen", subject);
            }
            return fd;
        } catch (PosixException e) {
            libc.close(fd);
            throw e;
        }
    }

    private void setOption(int fd, int level, int option, String subject) {
        Pointer one = Memory.allocateDirect(runtime, 4, true);
        one.putInt(0, 1);
        if (libc.setsockopt(fd, level, option, one, 4) != 0) {
            throw failure("setsockopt", subject);
        }
    }

    void listen(int fd, int backlog) {
        if (libc.listen(fd, backlog) != 0) {
            throw failure("listen", "fd " + fd);
        }
    }

    /** st_ino of an open socket: the number /proc/PID/fd shows as socket:[INODE]. */
    long socketInode(int fd) {
        Pointer buffer = Memory.allocateDirect(runtime, STAT_SIZE, true);
        if (libc.fstat(fd, buffer) != 0) {
            throw failure("fstat", "fd " + fd);
        }
        if ((buffer.getInt(STAT_MODE) & FileStatus.S_IFMT) != FileStatus.S_IFSOCK) {
            throw errnoNames.exception("fstat", "fd " + fd, Errno.ENOTSOCK.number());
        }
        return buffer.getLong(STAT_INODE);
    }

    Pipe socketPair() {
        int[] fds = new int[2];
        if (libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
            throw failure("socketpair", "");
        }
        return new Pipe(fds[0], fds[1]);
    }

    void shutdownRead(int fd) {
        if (libc.shutdown(fd, SHUT_RD) != 0) {
            throw failure("shutdown", "fd " + fd);
        }
    }

    /**
     * sendmsg(2) on a socket of its own, with the address in msg_name. The
     * structures are laid out from the address size (also size_t's on Linux):
     * struct msghdr {name, namelen (int, padded), iov, iovlen, control,
     * controllen, flags}; struct iovec {base, len}; struct cmsghdr {len,
     * level (int), type (int), then the descriptors (ints), aligned to size_t}.
     */
    void sendDescriptors(String address, byte[] datagram, int[] fds) {
        Pointer name = Memory.allocateDirect(runtime, SUN_PATH_OFFSET + SUN_PATH_SIZE, true);
        int nameLength = unixAddress(address, name);
        int word = runtime.addressSize();
        Pointer data = Memory.allocateDirect(runtime, Math.max(1, datagram.length), true);
        data.put(0, datagram, 0, datagram.length);
        Pointer iovec = Memory.allocateDirect(runtime, 2L * word, true);
        iovec.putAddress(0, data.address());
        iovec.putAddress(word, datagram.length);
        int header = align(word + 8, word);
        int controlLength = fds.length == 0 ? 0 : align(header + 4 * fds.length, word);
        Pointer control = Memory.allocateDirect(runtime, Math.max(1, controlLength), true);
        if (fds.length > 0) {
            control.putAddress(0, header + 4L * fds.length);
            control.putInt(word, SOL_SOCKET);
            control.putInt(word + 4L, SCM_RIGHTS);
            control.put(header, fds, 0, fds.length);
        }
        Pointer message = Memory.allocateDirect(runtime, 7L * word, true);
        message.putAddress(0, name.address());
        message.putInt(word, nameLength);
        message.putAddress(2L * word, iovec.address());
        message.putAddress(3L * word, 1);
        message.putAddress(4L * word, fds.length == 0 ? 0 : control.address());
        message.putAddress(5L * word, controlLength);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", address);
        }
        try {
            while (libc.sendmsg(fd, message, MSG_NOSIGNAL) < 0) {
                int errno = runtime.getLastError();
                if (errno != EINTR) {
                    throw errnoNames.exception("sendmsg", address, errno);
                }
            }
        } finally {
            libc.close(fd);
        }
    }

    /** Fills a sockaddr_un for a path or an {@code @abstract} name; returns its length. */
    private int unixAddress(String address, Pointer into) {
        boolean abstractName = address.startsWith("@");
        byte[] encoded = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        int offset = abstractName ? 1 : 0; // an abstract name starts with a NUL byte, and has no final one
        if (address.isEmpty() || offset + encoded.length + (abstractName ? 0 : 1) > SUN_PATH_SIZE) {
            throw errnoNames.exception("sendmsg", address, address.isEmpty() ? EINVAL : ENAMETOOLONG);
        }
        into.putShort(0, (short) AF_UNIX);
        into.put(SUN_PATH_OFFSET + offset, encoded, 0, encoded.length);
        return SUN_PATH_OFFSET + offset + encoded.length + (abstractName ? 0 : 1);
    }

    private static int align(int size, int word) {
        return (size + word - 1) / word * word;
    }

    void unlink(String path) {
        if (libc.unlink(path) != 0) {
            throw failure("unlink", path);
        }
    }

    private PosixException failure(String operation, String subject) {
        return errnoNames.exception(operation, subject, runtime.getLastError());
    }
}

package org.virtsup.sockets;

import java.util.Objects;

/** Where a daemon's socket listens: a path with its group and mode, or a TCP address and port. */
public sealed interface Endpoint {

    /** What operators call it: the path, or {@code host:port}. */
    String describe();

    /** Whether {@code other} is this very place (mode and group aside): then it needs no new socket. */
    boolean samePlace(Endpoint other);

    /**
     * A unix socket file. libvirt applies no permissions to a socket it is
     * handed: virtsup gives the file owner root, this group and this mode, as
     * the daemon would have given its own.
     */
    record Unix(String path, int gid, int mode) implements Endpoint {
        public Unix {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("a socket path is absolute, not " + path);
            }
            if ((mode & ~07777) != 0) {
                throw new IllegalArgumentException(String.format("socket mode %o is not a permission mode", mode));
            }
        }

        @Override
        public String describe() {
            return path;
        }

        @Override
        public boolean samePlace(Endpoint other) {
            return other instanceof Unix unix && unix.path.equals(path);
        }
    }

    /** A TCP socket on one numeric address (libvirt binds one per address its listen_addr resolves to). */
    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("TCP port " + port + " is not between 1 and 65535");
            }
        }

        @Override
        public String describe() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }

        @Override
        public boolean samePlace(Endpoint other) {
            return equals(other);
        }
    }
}

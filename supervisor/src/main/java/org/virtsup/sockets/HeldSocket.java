package org.virtsup.sockets;

import java.util.Objects;

/** A socket virtsup holds open: its descriptor here and its inode, by which /proc names it in any process. */
public record HeldSocket(SocketSpec spec, int fd, long inode) {
    public HeldSocket {
        Objects.requireNonNull(spec, "spec");
    }
}

package org.virtsup.control;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Errno;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;

/** A connected peer's supplementary groups, as the kernel recorded them at connect (SO_PEERGROUPS). */
final class KernelPeerGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Posix posix;
    private final int controlGid;
    private volatile boolean unsupported;

    KernelPeerGroups(Posix posix, int controlGid) {
        this.posix = posix;
        this.controlGid = controlGid;
    }

    /** The groups the peer had when it connected; none on a kernel without SO_PEERGROUPS (before 4.13). */
    int[] of(int fd) {
        try {
            return posix.peerGroups(fd);
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
            if (!unsupported) {
                unsupported = true;
                LOG.warn("control socket: this kernel does not tell a peer's supplementary groups (SO_PEERGROUPS,"
                        + " Linux 4.13+): only uid 0 and the primary group {} may change anything",
                        controlGid);
            }
            return new int[0];
        }
    }

}

package org.virtsup.control;

import java.util.Arrays;

/**
 * Decides whether a peer may send mutating requests: uid 0, or a member of the
 * control group, as its primary group or one of its supplementary groups.
 * Both come from the kernel with the connection (SO_PEERCRED carries only the
 * primary gid, SO_PEERGROUPS the rest), fixed when the peer connected.
 */
public final class PeerPrivilege implements PeerIdentifier {
    private final int controlGid;

    /** @param controlGid the control group's gid */
    public PeerPrivilege(int controlGid) {
        this.controlGid = controlGid;
    }

    @Override
    public Peer identify(int uid, int gid, int pid, int[] groups) {
        return new Peer(uid, gid, pid, uid == 0 || gid == controlGid
                || Arrays.stream(groups).anyMatch(group -> group == controlGid));
    }
}

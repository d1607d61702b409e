package org.virtsup.control;

/** Turns a connection's kernel credentials into a {@link Peer} with its privilege. */
@FunctionalInterface
interface PeerIdentifier {
    /** {@code groups}: the supplementary groups the peer had when it connected (SO_PEERGROUPS). */
    Peer identify(int uid, int gid, int pid, int[] groups);
}

package org.virtsup.control;

/** Turns a connection's kernel credentials into a {@link Peer} with its privilege. */
@FunctionalInterface
interface PeerIdentifier {
    Peer identify(int uid, int gid, int pid);
}

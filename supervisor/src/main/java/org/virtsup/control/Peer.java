package org.virtsup.control;

/**
 * The process at the other end of a control connection, from the kernel's
 * SO_PEERCRED (so it cannot be forged), and what it may do.
 *
 * @param privileged uid 0 or a member of the control group: may send mutating requests
 */
public record Peer(int uid, int gid, int pid, boolean privileged) {

    @Override
    public String toString() {
        return "uid " + uid + " pid " + pid;
    }
}

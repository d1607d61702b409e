package org.virtsup.run;

import java.util.Objects;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.supervise.Daemon;

/**
 * A daemon an earlier virtsup started that this one takes over: what the
 * state record says of it, and a pidfd that holds on to that very process
 * (its end makes it readable; it names no other process should the pid be reused).
 */
record AdoptedDaemon(Daemon daemon, DaemonRecord recorded, int pidfd) {
    AdoptedDaemon {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(recorded, "recorded");
    }

    int pid() {
        return recorded.process().pid();
    }
}

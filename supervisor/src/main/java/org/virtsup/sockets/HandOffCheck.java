package org.virtsup.sockets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtsup.supervise.Daemon;

/**
 * Whether a started daemon listens on the very sockets it was handed, judged
 * by their inodes in /proc: it must hold each of them, and must not listen on
 * a socket of its own at one of their paths (what libvirt does when it
 * refuses the hand-off: it unlinks the path and binds again). Checked once the
 * daemon says it is ready, when libvirt has set up its listeners.
 */
public final class HandOffCheck {
    private final ProcSockets proc;

    public HandOffCheck(ProcSockets proc) {
        this.proc = proc;
    }

    /** One handed socket and whether the daemon listens on it. */
    public record SocketState(HeldSocket socket, boolean listening) {}

    /** Every handed socket's state; {@code problems} says, one sentence each, what is wrong. */
    public record Verdict(List<SocketState> sockets, List<String> problems) {
        public Verdict {
            sockets = List.copyOf(sockets);
            problems = List.copyOf(problems);
        }

        public boolean taken() {
            return problems.isEmpty();
        }
    }

    public Verdict check(Daemon daemon, int pid, List<HeldSocket> handed) {
        Set<Long> held = proc.heldBy(pid);
        Map<Long, String> listening = handed.stream().anyMatch(s -> s.spec().endpoint() instanceof Endpoint.Unix)
                ? proc.listeningUnix(pid) : Map.of();
        List<SocketState> states = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (HeldSocket socket : handed) {
            String where = socket.spec().endpoint().describe();
            boolean holds = held.contains(socket.inode());
            List<Long> rivals = listening.entrySet().stream()
                    .filter(e -> e.getValue().equals(where) && e.getKey() != socket.inode() && held.contains(e.getKey()))
                    .map(Map.Entry::getKey).sorted().toList();
            if (!rivals.isEmpty()) {
                problems.add(daemon + " (pid " + pid + ") listens on a socket of its own at " + where + " (inode "
                        + rivals.get(0) + "), not on the one virtsup handed it (inode " + socket.inode()
                        + "): it did not accept LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES");
            } else if (!holds) {
                problems.add(daemon + " (pid " + pid + ") does not hold " + socket.spec().name() + " (" + where
                        + ", inode " + socket.inode() + ") that virtsup handed it");
            }
            states.add(new SocketState(socket, holds && rivals.isEmpty()));
        }
        return new Verdict(states, problems);
    }
}

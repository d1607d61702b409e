package org.virtsup.sockets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;

/**
 * The listening sockets of a daemon an earlier virtsup handed them to, copied
 * back out of it with pidfd_getfd: the same sockets (same inodes), so that
 * virtsup holds them again and hands them to the daemon's next process, and a
 * client connecting while it restarts waits instead of being refused. A
 * socket is taken back only when it is the one recorded (its inode) and, for
 * a unix socket, still listens at the path the configuration names.
 */
public final class SocketTakeBack {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final ProcSockets proc;

    public SocketTakeBack(Posix posix, ProcSockets proc) {
        this.posix = posix;
        this.proc = proc;
    }

    /**
     * {@code daemon}'s sockets of {@code plan} held by process {@code pid}
     * ({@code pidfd}), as far as they can be taken back; the others are bound
     * anew before its next start (clients are refused only then).
     *
     * @param recorded the inodes the state record gives, by socket name
     */
    public List<HeldSocket> from(Daemon daemon, int pid, int pidfd, Map<String, Long> recorded,
                                 List<SocketSpec> plan) {
        Map<Integer, Long> descriptors = proc.socketDescriptors(pid);
        List<HeldSocket> taken = new ArrayList<>();
        SocketKeys.ofPlan(plan.stream().filter(spec -> spec.daemon() == daemon).toList()).forEach((key, spec) -> {
            Long inode = recorded.get(key);
            Optional<Integer> fd = descriptors.entrySet().stream().filter(e -> e.getValue().equals(inode))
                    .map(Map.Entry::getKey).findFirst();
            String what = daemon + "'s " + key + " (pid " + pid + ")";
            if (inode == null || fd.isEmpty()) {
                log.warn("cannot take {} back: {}; it is bound anew at {}'s next start", what,
                        inode == null ? "the state record has no inode of it" : "it no longer holds inode " + inode,
                        daemon);
            } else if (!proc.listensAt(pid, inode, spec.endpoint())) {
                log.warn("cannot take {} back: inode {} listens at {}, not at {} as configured; it is bound anew at"
                        + " {}'s next start", what, inode, placeOf(pid, inode, spec.endpoint()),
                        spec.endpoint().describe(), daemon);
            } else {
                copy(spec, pidfd, fd.get(), inode, what).ifPresent(taken::add);
            }
        });
        return taken;
    }

    private String placeOf(int pid, long inode, Endpoint kind) {
        String at = kind instanceof Endpoint.Unix ? proc.listeningUnix(pid).get(inode)
                : Optional.ofNullable(proc.listeningTcp(pid).get(inode)).map(Endpoint::describe).orElse(null);
        return at == null ? "no place /proc shows" : at;
    }

    private Optional<HeldSocket> copy(SocketSpec spec, int pidfd, int fd, long inode, String what) {
        int copy;
        try {
            copy = posix.pidfdGetfd(pidfd, fd);
        } catch (PosixException e) {
            log.warn("cannot take {} back: {}; it is bound anew at {}'s next start", what, e.getMessage(),
                    spec.daemon());
            return Optional.empty();
        }
        if (posix.socketInode(copy) != inode) { // the daemon closed and reused the number meanwhile
            posix.close(copy);
            log.warn("cannot take {} back: its fd {} changed meanwhile; it is bound anew at {}'s next start", what,
                    fd, spec.daemon());
            return Optional.empty();
        }
        log.info("took {} back: fd {} there, inode {}, {}", what, fd, inode, spec.endpoint().describe());
        return Optional.of(new HeldSocket(spec, copy, inode));
    }
}

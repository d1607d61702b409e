package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Daemon;

class HandOffCheckTest {
    private static final HeldSocket RW = new HeldSocket(new SocketSpec(Daemon.LIBVIRTD, "libvirtd.socket",
            new Endpoint.Unix("/run/libvirt/libvirt-sock", 0, 0700)), 40, 1001);
    private static final HeldSocket TCP = new HeldSocket(new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket",
            new Endpoint.Tcp("0.0.0.0", 16509)), 41, 1002);

    private static ProcSockets proc(Set<Long> held, Map<Long, String> listening) {
        return new ProcSockets() {
            @Override
            public Set<Long> heldBy(int pid) {
                return held;
            }

            @Override
            public Map<Long, String> listeningUnix(int pid) {
                return listening;
            }
        };
    }

    @Test
    void aDaemonHoldingEveryHandedSocketAndNoneOfItsOwnTookThem() {
        HandOffCheck check = new HandOffCheck(proc(Set.of(1001L, 1002L, 77L),
                Map.of(1001L, "/run/libvirt/libvirt-sock", 5L, "/run/other-sock")));
        HandOffCheck.Verdict verdict = check.check(Daemon.LIBVIRTD, 64, List.of(RW, TCP));
        assertTrue(verdict.taken(), verdict.problems().toString());
        assertEquals(List.of(new HandOffCheck.SocketState(RW, true), new HandOffCheck.SocketState(TCP, true)),
                verdict.sockets());
    }

    /** libvirt refusing the hand-off keeps the inherited descriptors but binds its own socket at the path. */
    @Test
    void aDaemonListeningOnItsOwnSocketAtTheSamePathDidNotTakeThem() {
        HandOffCheck check = new HandOffCheck(proc(Set.of(1002L, 2001L),
                Map.of(1001L, "/run/libvirt/libvirt-sock", 2001L, "/run/libvirt/libvirt-sock")));
        HandOffCheck.Verdict verdict = check.check(Daemon.LIBVIRTD, 64, List.of(RW, TCP));
        assertFalse(verdict.taken());
        assertEquals(List.of("libvirtd (pid 64) listens on a socket of its own at /run/libvirt/libvirt-sock (inode 2001),"
                + " not on the one virtsup handed it (inode 1001): it did not accept LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES"),
                verdict.problems());
        assertEquals(List.of(false, true), verdict.sockets().stream().map(HandOffCheck.SocketState::listening).toList());
    }

    @Test
    void aDaemonThatClosedAHandedSocketDoesNotListenOnIt() {
        HandOffCheck check = new HandOffCheck(proc(Set.of(1001L), Map.of(1001L, "/run/libvirt/libvirt-sock")));
        HandOffCheck.Verdict verdict = check.check(Daemon.LIBVIRTD, 64, List.of(RW, TCP));
        assertEquals(List.of("libvirtd (pid 64) does not hold libvirtd-tcp.socket (0.0.0.0:16509, inode 1002) that"
                + " virtsup handed it"), verdict.problems());
    }

    @Test
    void aProcessThatIsGoneHoldsNothing() {
        HandOffCheck.Verdict verdict = new HandOffCheck(ProcSockets.ofThisHost()).check(Daemon.VIRTLOGD,
                Integer.MAX_VALUE, List.of(RW));
        assertFalse(verdict.taken());
    }
}

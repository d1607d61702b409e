package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.FakePosix;
import org.virtsup.run.LogCapture;
import org.virtsup.supervise.Daemon;

/** An adopted daemon's sockets, copied back out of it and held again; those that cannot be, bound later. */
class SocketTakeBackTest {
    private static final SocketOwners NOBODY = path -> Optional.empty();
    private static final SocketSpec RW = spec("libvirtd.socket", "/run/libvirt/libvirt-sock");
    private static final SocketSpec RO = spec("libvirtd-ro.socket", "/run/libvirt/libvirt-sock-ro");
    private static final SocketSpec LOG = new SocketSpec(Daemon.VIRTLOGD, "virtlogd.socket",
            new Endpoint.Unix("/run/libvirt/virtlogd-sock", 0, 0700));
    private static final int LIBVIRTD = 812;

    private final FakePosix posix = new FakePosix().addDirectory("/run/libvirt", 0, 0, 0755).addProcess(LIBVIRTD, 0);
    /** What /proc shows of the adopted libvirtd: its socket descriptors and where sockets listen. */
    private final Map<Integer, Long> descriptors = new HashMap<>();
    private final Map<Long, String> listening = new HashMap<>();
    private final ProcSockets proc = new ProcSockets() {
        @Override
        public Set<Long> heldBy(int pid) {
            return Set.copyOf(descriptors.values());
        }

        @Override
        public Map<Long, String> listeningUnix(int pid) {
            return listening;
        }

        @Override
        public Map<Integer, Long> socketDescriptors(int pid) {
            return descriptors;
        }
    };

    private static SocketSpec spec(String name, String path) {
        return new SocketSpec(Daemon.LIBVIRTD, name, new Endpoint.Unix(path, 0, 0770));
    }

    /** An earlier virtsup bound {@code spec} and handed it to libvirtd as {@code fd}; returns its inode. */
    private long handedEarlier(SocketSpec spec, int fd) {
        String path = ((Endpoint.Unix) spec.endpoint()).path();
        int ours = posix.listenUnix(path, 16);
        long inode = posix.socketInode(ours);
        posix.giveDescriptor(LIBVIRTD, fd, ours);
        posix.close(ours);
        descriptors.put(fd, inode);
        listening.put(inode, path);
        return inode;
    }

    @Test
    void theRecordedSocketsAreTakenBackAndHeldWithoutTouchingTheirPaths() throws IOException {
        long rw = handedEarlier(RW, 3);
        long ro = handedEarlier(RO, 4);
        int pidfd = posix.pidfdOpen(LIBVIRTD);
        List<HeldSocket> taken = new SocketTakeBack(posix, proc).from(Daemon.LIBVIRTD, LIBVIRTD, pidfd,
                Map.of("libvirtd.socket", rw, "libvirtd-ro.socket", ro), List.of(LOG, RW, RO));
        assertEquals(List.of(RW, RO), taken.stream().map(HeldSocket::spec).toList());
        assertEquals(List.of(rw, ro), taken.stream().map(HeldSocket::inode).toList());
        for (HeldSocket socket : taken) {
            assertEquals(socket.inode(), posix.socketInode(socket.fd()), "a copy of the very socket");
        }

        HeldSockets held = HeldSockets.takeOver(posix, NOBODY, List.of(LOG, RW, RO), taken, Set.of(Daemon.LIBVIRTD));
        assertEquals(taken, held.of(Daemon.LIBVIRTD));
        assertTrue(held.holdsAll(Daemon.LIBVIRTD));
        assertEquals(1, held.of(Daemon.VIRTLOGD).size(), "the other daemon's sockets are bound as ever");
        assertFalse(posix.calls().contains("unlink /run/libvirt/libvirt-sock"), posix.calls().toString());
    }

    @Test
    void aSocketThatCannotBeTakenBackIsBoundOnlyBeforeTheNextStart() throws IOException {
        long rw = handedEarlier(RW, 3);
        long ro = handedEarlier(RO, 4);
        listening.put(ro, "/run/elsewhere/libvirt-sock-ro"); // the configuration moved it since
        int pidfd = posix.pidfdOpen(LIBVIRTD);
        List<HeldSocket> taken;
        try (LogCapture log = new LogCapture("virtsup")) {
            taken = new SocketTakeBack(posix, proc).from(Daemon.LIBVIRTD, LIBVIRTD, pidfd,
                    Map.of("libvirtd.socket", rw, "libvirtd-ro.socket", ro), List.of(RW, RO));
            assertTrue(log.messages().contains("cannot take libvirtd's libvirtd-ro.socket (pid 812) back: inode " + ro
                    + " listens at /run/elsewhere/libvirt-sock-ro, not at /run/libvirt/libvirt-sock-ro as configured;"
                    + " it is bound anew at libvirtd's next start"), log.messages().toString());
        }
        assertEquals(List.of(RW), taken.stream().map(HeldSocket::spec).toList());

        HeldSockets held = HeldSockets.takeOver(posix, NOBODY, List.of(RW, RO), taken, Set.of(Daemon.LIBVIRTD));
        assertFalse(held.holdsAll(Daemon.LIBVIRTD), "the read-only socket waits for libvirtd's next start");
        held.restore(Daemon.LIBVIRTD);
        assertTrue(held.holdsAll(Daemon.LIBVIRTD));
        assertEquals(List.of(RW, RO), held.of(Daemon.LIBVIRTD).stream().map(HeldSocket::spec).toList());
        assertNotEquals(ro, held.of(Daemon.LIBVIRTD).get(1).inode());
    }

    @Test
    void restartingOneAdoptedDaemonBindsOnlyItsOwnSocketsNotThoseTheOtherStillListensOn() throws IOException {
        HeldSockets held = HeldSockets.takeOver(posix, NOBODY, List.of(LOG, RW, RO), List.of(),
                Set.of(Daemon.LIBVIRTD, Daemon.VIRTLOGD));
        assertEquals(List.of(), held.all());
        held.restore(Daemon.LIBVIRTD);
        assertTrue(held.holdsAll(Daemon.LIBVIRTD));
        assertFalse(held.holdsAll(Daemon.VIRTLOGD));
        assertFalse(posix.calls().stream().anyMatch(call -> call.contains("virtlogd-sock")), posix.calls().toString());
    }

    @Test
    void givingUpBeforeSupervisingLeavesTheAdoptedDaemonsSocketFilesInPlace() throws IOException {
        long rw = handedEarlier(RW, 3);
        List<HeldSocket> taken = new SocketTakeBack(posix, proc).from(Daemon.LIBVIRTD, LIBVIRTD,
                posix.pidfdOpen(LIBVIRTD), Map.of("libvirtd.socket", rw), List.of(RW));
        HeldSockets held = HeldSockets.takeOver(posix, NOBODY, List.of(RW), taken, Set.of(Daemon.LIBVIRTD));
        held.closeLeavingFiles();
        assertEquals(List.of(), held.all());
        assertTrue(posix.stat("/run/libvirt/libvirt-sock").socket(), "libvirtd still serves its path");
        assertFalse(posix.openDescriptors().contains(taken.get(0).fd()));
    }

    @Test
    void aSocketTheDaemonNoLongerHoldsOrTheRecordLacksIsNotTaken() {
        long rw = handedEarlier(RW, 3);
        descriptors.clear();
        int pidfd = posix.pidfdOpen(LIBVIRTD);
        assertEquals(List.of(), new SocketTakeBack(posix, proc).from(Daemon.LIBVIRTD, LIBVIRTD, pidfd,
                Map.of("libvirtd.socket", rw), List.of(RW, RO)));
        assertFalse(posix.calls().stream().anyMatch(call -> call.startsWith("pidfd_getfd")), posix.calls().toString());
    }
}

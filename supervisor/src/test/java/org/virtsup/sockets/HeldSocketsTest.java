package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.FileStatus;
import org.virtsup.supervise.Daemon;

class HeldSocketsTest {
    private static final SocketOwners NOBODY = path -> Optional.empty();
    private static final SocketSpec RW = unix(Daemon.LIBVIRTD, "libvirtd.socket", "/run/libvirt/libvirt-sock", 990, 0770);
    private static final SocketSpec RO = unix(Daemon.LIBVIRTD, "libvirtd-ro.socket", "/run/libvirt/libvirt-sock-ro", 990,
            0777);
    private static final SocketSpec LOG = unix(Daemon.VIRTLOGD, "virtlogd.socket", "/run/libvirt/virtlogd-sock", 0, 0700);
    private static final SocketSpec TCP = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket",
            new Endpoint.Tcp("127.0.0.1", 16509));

    private final FakePosix posix = new FakePosix().addDirectory("/run/libvirt", 0, 0, 0755);

    private static SocketSpec unix(Daemon daemon, String name, String path, int gid, int mode) {
        return new SocketSpec(daemon, name, new Endpoint.Unix(path, gid, mode));
    }

    @Test
    void bindsEverySocketWithRootTheGroupAndTheModeAndAWideBacklog() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, RO, TCP));

        FileStatus rw = posix.stat("/run/libvirt/libvirt-sock");
        assertTrue(rw.socket());
        assertEquals(0, rw.uid());
        assertEquals(990, rw.gid());
        assertEquals(0770, rw.permissions());
        assertEquals(0777, posix.stat("/run/libvirt/libvirt-sock-ro").permissions());
        assertEquals(0700, posix.stat("/run/libvirt/virtlogd-sock").permissions());
        assertEquals(List.of(RW, RO, TCP), held.of(Daemon.LIBVIRTD).stream().map(HeldSocket::spec).toList());
        assertEquals(List.of(LOG), held.of(Daemon.VIRTLOGD).stream().map(HeldSocket::spec).toList());
        for (HeldSocket socket : held.all()) {
            assertEquals(HeldSockets.BACKLOG, posix.backlogOf(socket.fd()));
            assertEquals(posix.socketInode(socket.fd()), socket.inode());
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws IOException {
        posix.addSocket("/run/libvirt/libvirt-sock", 0, 0, 0755);
        HeldSockets.bind(posix, NOBODY, List.of(RW));
        assertTrue(posix.calls().contains("unlink /run/libvirt/libvirt-sock"), posix.calls().toString());
        assertEquals(0770, posix.stat("/run/libvirt/libvirt-sock").permissions());
    }

    @Test
    void aPathSomeoneServesIsAnErrorNamingItsOwnerAndNothingIsLeftBound() {
        posix.addSocket("/run/libvirt/libvirt-sock-ro", 0, 0, 0777);
        IOException failure = assertThrows(IOException.class,
                () -> HeldSockets.bind(posix, path -> Optional.of("pid 812 (libvirtd)"), List.of(LOG, RW, RO)));
        assertEquals("/run/libvirt/libvirt-sock-ro is in use by pid 812 (libvirtd), which virtsup did not start;"
                + " stop it (under systemd: systemctl stop libvirtd.service libvirtd.socket libvirtd-ro.socket"
                + " libvirtd-admin.socket) and start virtsup again", failure.getMessage());
        assertEquals(List.of(0, 1, 2), posix.openDescriptors(), "the sockets bound before were closed");
        assertTrue(posix.stat("/run/libvirt/libvirt-sock-ro").socket(), "the owner's socket file is untouched");
        assertThrows(RuntimeException.class, () -> posix.stat("/run/libvirt/libvirt-sock"), "ours went too");
    }

    @Test
    void aFileThatIsNoSocketIsAnError() {
        posix.addFile("/run/libvirt/libvirt-sock", 0, 0, 0644);
        IOException failure = assertThrows(IOException.class, () -> HeldSockets.bind(posix, NOBODY, List.of(RW)));
        assertEquals("/run/libvirt/libvirt-sock exists and is not a socket; virtsup creates libvirtd's libvirtd.socket"
                + " there: move that file away", failure.getMessage());
        assertTrue(posix.stat("/run/libvirt/libvirt-sock").regularFile());
    }

    @Test
    void aTakenPortIsAnErrorNamingIt() throws IOException {
        posix.listenTcp("127.0.0.1", 16509, 5); // someone else's
        IOException failure = assertThrows(IOException.class, () -> HeldSockets.bind(posix, NOBODY, List.of(RW, TCP)));
        assertTrue(failure.getMessage().startsWith("127.0.0.1:16509 is in use by another process"), failure.getMessage());
    }

    @Test
    void aNewModeOrGroupIsAppliedInPlaceWithoutARestart() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, RO));
        HeldSocket before = held.of(Daemon.LIBVIRTD).get(0);

        Set<Daemon> moved = held.apply(List.of(LOG, unix(Daemon.LIBVIRTD, "libvirtd.socket",
                "/run/libvirt/libvirt-sock", 991, 0700), RO));

        assertEquals(Set.of(), moved);
        assertEquals(before.fd(), held.of(Daemon.LIBVIRTD).get(0).fd(), "the same socket");
        assertEquals(0700, posix.stat("/run/libvirt/libvirt-sock").permissions());
        assertEquals(991, posix.stat("/run/libvirt/libvirt-sock").gid());
    }

    @Test
    void aMovedSocketIsBoundAnewAndOnlyItsDaemonIsToRestart() throws IOException {
        posix.addDirectory("/run/other", 0, 0, 0755);
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, RO));
        int oldFd = held.of(Daemon.LIBVIRTD).get(0).fd();
        int logFd = held.of(Daemon.VIRTLOGD).get(0).fd();

        Set<Daemon> moved = held.apply(List.of(LOG, unix(Daemon.LIBVIRTD, "libvirtd.socket", "/run/other/libvirt-sock",
                990, 0770), RO));

        assertEquals(Set.of(Daemon.LIBVIRTD), moved);
        assertTrue(posix.stat("/run/other/libvirt-sock").socket());
        assertThrows(RuntimeException.class, () -> posix.stat("/run/libvirt/libvirt-sock"), "the old file goes");
        assertThrows(RuntimeException.class, () -> posix.socketInode(oldFd), "the old socket is closed");
        assertEquals(logFd, held.of(Daemon.VIRTLOGD).get(0).fd(), "virtlogd's socket is untouched");
    }

    @Test
    void aReloadThatCannotBindChangesNothing() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(RW));
        List<HeldSocket> before = held.all();
        SocketSpec nowhere = unix(Daemon.LIBVIRTD, "libvirtd.socket", "/missing/dir/libvirt-sock", 990, 0770);

        assertThrows(RuntimeException.class, () -> held.apply(List.of(TCP, nowhere)));

        assertEquals(before, held.all());
        assertEquals(posix.socketInode(before.get(0).fd()), before.get(0).inode(), "still open");
        assertEquals(3 + 1, posix.openDescriptors().size(), "nothing new left open");
    }

    @Test
    void theBacklogIsVirtsupsAgainOnceTheDaemonEnded() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW));
        int fd = held.of(Daemon.LIBVIRTD).get(0).fd();
        posix.listen(fd, 1000); // what libvirtd does with max-queued-clients
        posix.listen(held.of(Daemon.VIRTLOGD).get(0).fd(), 30);

        held.daemonEnded(Daemon.LIBVIRTD);

        assertEquals(HeldSockets.BACKLOG, posix.backlogOf(fd));
        assertEquals(30, posix.backlogOf(held.of(Daemon.VIRTLOGD).get(0).fd()), "virtlogd has not ended");
    }

    @Test
    void renewReplacesADaemonsSocketsWithFreshOnes() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW));
        HeldSocket old = held.of(Daemon.LIBVIRTD).get(0);

        held.renew(Daemon.LIBVIRTD);

        HeldSocket renewed = held.of(Daemon.LIBVIRTD).get(0);
        assertNotEquals(old.inode(), renewed.inode());
        assertEquals(0770, posix.stat("/run/libvirt/libvirt-sock").permissions());
        assertEquals(3 + 2, posix.openDescriptors().size());
    }

    /**
     * A renewal that fails halfway (a file now stands where a socket was) holds
     * no closed descriptor: its number may be reused by anything opened next,
     * and must never be handed to a daemon as one of its sockets.
     */
    @Test
    void aRenewalThatFailsHoldsNoClosedDescriptor() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, RO));
        posix.unlink("/run/libvirt/libvirt-sock");
        posix.addFile("/run/libvirt/libvirt-sock", 0, 0, 0644);

        assertThrows(IOException.class, () -> held.renew(Daemon.LIBVIRTD));

        for (HeldSocket socket : held.all()) {
            assertTrue(posix.openDescriptors().contains(socket.fd()), "held but closed: " + socket);
        }
        assertEquals(1, held.of(Daemon.VIRTLOGD).size(), "virtlogd's socket is untouched");
        org.junit.jupiter.api.Assertions.assertFalse(held.holdsAll(Daemon.LIBVIRTD),
                "libvirtd's sockets are to be bound again before its next start");
    }

    @Test
    void closeClosesEverySocketAndRemovesTheFiles() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, TCP));
        held.close();
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
        assertThrows(RuntimeException.class, () -> posix.stat("/run/libvirt/libvirt-sock"));
    }

    @Test
    void releasedSocketsAreClosedAndGoneUntilRestored() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, RO));
        int logFd = held.of(Daemon.VIRTLOGD).get(0).fd();

        held.release(Daemon.LIBVIRTD);
        assertEquals(List.of(), held.of(Daemon.LIBVIRTD));
        assertTrue(!held.holdsAll(Daemon.LIBVIRTD) && held.holdsAll(Daemon.VIRTLOGD));
        assertThrows(RuntimeException.class, () -> posix.stat("/run/libvirt/libvirt-sock"), "clients are refused");

        held.restore(Daemon.LIBVIRTD);
        assertEquals(List.of(RW, RO), held.of(Daemon.LIBVIRTD).stream().map(HeldSocket::spec).toList());
        assertEquals(List.of(LOG, RW, RO), held.all().stream().map(HeldSocket::spec).toList(), "in hand-over order");
        assertEquals(logFd, held.of(Daemon.VIRTLOGD).get(0).fd());
        assertEquals(0770, posix.stat("/run/libvirt/libvirt-sock").permissions());
    }

    @Test
    void aListenAddressNarrowedOnTheSamePortFreesThePortFirst() throws IOException {
        SocketSpec anywhere = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket", new Endpoint.Tcp("0.0.0.0", 16509));
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(RW, anywhere));

        Set<Daemon> moved = held.apply(List.of(RW, TCP));

        assertEquals(Set.of(Daemon.LIBVIRTD), moved);
        assertEquals(List.of(RW, TCP), held.all().stream().map(HeldSocket::spec).toList());
    }

    /**
     * While libvirtd runs it holds its copy of the wildcard socket, so the
     * narrower one cannot be bound on that port yet: the move waits for its
     * restart instead of failing (as it did, naming "another process").
     */
    @Test
    void aListenAddressNarrowedWhileTheDaemonHoldsTheOldSocketIsBoundBeforeItsNextStart() throws IOException {
        SocketSpec anywhere = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket", new Endpoint.Tcp("0.0.0.0", 16509));
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW, anywhere));
        int libvirtd = runningWith(held.of(Daemon.LIBVIRTD));

        Set<Daemon> moved = held.apply(List.of(LOG, RW, TCP));

        assertEquals(Set.of(Daemon.LIBVIRTD), moved, "libvirtd restarts to be handed the new one");
        assertEquals(List.of(LOG, RW), held.all().stream().map(HeldSocket::spec).toList());
        org.junit.jupiter.api.Assertions.assertFalse(held.holdsAll(Daemon.LIBVIRTD));
        posix.kill(libvirtd, org.virtsup.posix.Signals.TERM);
        posix.waitAny();
        held.restore(Daemon.LIBVIRTD);
        assertEquals(List.of(LOG, RW, TCP), held.all().stream().map(HeldSocket::spec).toList());
    }

    @Test
    void aMoveRefusedForAnotherSocketKeepsTheOldListenAddress() throws IOException {
        SocketSpec anywhere = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp.socket", new Endpoint.Tcp("0.0.0.0", 16509));
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(RW, anywhere));
        List<HeldSocket> before = held.all();
        runningWith(held.of(Daemon.LIBVIRTD));
        SocketSpec nowhere = unix(Daemon.LIBVIRTD, "libvirtd.socket", "/missing/dir/libvirt-sock", 990, 0770);

        assertThrows(RuntimeException.class, () -> held.apply(List.of(TCP, nowhere)));

        assertEquals(before, held.all());
        assertEquals(posix.socketInode(before.get(1).fd()), before.get(1).inode(), "the wildcard socket is still open");
    }

    @Test
    void restoringADaemonsSocketsLeavesTheOtherDaemonsReleasedOnes() throws IOException {
        HeldSockets held = HeldSockets.bind(posix, NOBODY, List.of(LOG, RW));
        held.release(Daemon.LIBVIRTD);
        held.release(Daemon.VIRTLOGD);

        held.restore(Daemon.LIBVIRTD);

        assertEquals(List.of(RW), held.all().stream().map(HeldSocket::spec).toList());
        assertThrows(RuntimeException.class, () -> posix.stat("/run/libvirt/virtlogd-sock"), "virtlogd is down");
    }

    /** A running process handed {@code sockets}, as libvirtd is at its spawn. */
    private int runningWith(List<HeldSocket> sockets) {
        posix.addDirectory("/usr", 0, 0, 0755).addDirectory("/usr/sbin", 0, 0, 0755)
                .addFile("/usr/sbin/libvirtd", 0, 0, 0755);
        return posix.spawn(org.virtsup.posix.SpawnSpec.of("/usr/sbin/libvirtd", "libvirtd")
                .withPassed(sockets.stream().map(HeldSocket::fd).toList()));
    }
}

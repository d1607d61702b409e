package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.adopt.Handover;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.PosixException;
import org.virtsup.sockets.Endpoint;
import org.virtsup.sockets.HeldSocket;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.sockets.SocketSpec;
import org.virtsup.supervise.Daemon;

/**
 * What a re-executed virtsup takes from the handover: a descriptor only when
 * it is still the file named by its inode (and, for a unix socket, listens at
 * the configured path); one that is not is neither used nor closed, since it
 * may be this process's own by now.
 */
class InheritanceTest {
    private static final String CONTROL = "/run/virtsup/control.sock";
    private static final String LIBVIRT_SOCK = "/run/libvirt/libvirt-sock";
    private static final String VIRTLOGD_SOCK = "/run/libvirt/virtlogd-sock";
    private static final SocketSpec LIBVIRTD = new SocketSpec(Daemon.LIBVIRTD, "libvirtd.socket",
            new Endpoint.Unix(LIBVIRT_SOCK, 0, 0666));

    private final FakePosix posix = new FakePosix().addDirectory("/run/virtsup", 0, 0, 0755)
            .addDirectory("/run/libvirt", 0, 0, 0755);
    private final Map<Long, String> listening = new HashMap<>();
    private final Map<Long, Endpoint.Tcp> listeningTcp = new HashMap<>();
    private final ProcSockets proc = new ProcSockets() {
        @Override
        public Map<Long, Endpoint.Tcp> listeningTcp(int pid) {
            return listeningTcp;
        }

        @Override
        public Set<Long> heldBy(int pid) {
            return Set.of();
        }

        @Override
        public Map<Long, String> listeningUnix(int pid) {
            return listening;
        }
    };

    private int listen(String path) {
        int fd = posix.listenUnix(path, 16);
        listening.put(posix.socketInode(fd), path);
        return fd;
    }

    private int listen(Endpoint.Tcp at) {
        int fd = posix.listenTcp(at.host(), at.port(), 16);
        listeningTcp.put(posix.socketInode(fd), at);
        return fd;
    }

    private Inheritance inherit(Handover handover) {
        return Inheritance.from(Map.of(Handover.VARIABLE, handover.render(), "PATH", "/usr/bin"), posix, proc);
    }

    @Test
    void descriptorsThatAreStillTheNamedFilesAreTaken() {
        int control = listen(CONTROL);
        int socket = listen(LIBVIRT_SOCK);
        Inheritance inheritance = inherit(new Handover(2, Duration.ofMinutes(5), OptionalInt.of(control),
                Map.of("libvirtd.socket", socket), Map.of("libvirtd", 3), Map.of(),
                Map.of(control, posix.socketInode(control), socket, posix.socketInode(socket))));

        assertEquals(OptionalInt.of(control), inheritance.controlSocket(Path.of(CONTROL)));
        assertEquals(List.of(new HeldSocket(LIBVIRTD, socket, posix.socketInode(socket))),
                inheritance.sockets(List.of(LIBVIRTD)));
        assertEquals(2, inheritance.generation());
        assertEquals(3, inheritance.restarts(Daemon.LIBVIRTD));
        inheritance.closeUnclaimed();
        posix.socketInode(control); // both still open
        posix.socketInode(socket);
    }

    @Test
    void aDescriptorThatIsNotTheNamedFileIsNeitherUsedNorClosed() {
        int ours = listen(VIRTLOGD_SOCK); // opened by this process since; the handover says another inode
        Inheritance inheritance = inherit(new Handover(1, Duration.ZERO, OptionalInt.of(ours),
                Map.of("libvirtd.socket", ours), Map.of(), Map.of(), Map.of(ours, posix.socketInode(ours) + 1)));

        assertEquals(OptionalInt.empty(), inheritance.controlSocket(Path.of(CONTROL)));
        assertEquals(List.of(), inheritance.sockets(List.of(LIBVIRTD)));
        inheritance.closeUnclaimed();
        posix.socketInode(ours); // left open
    }

    @Test
    void aCheckedSocketNoLongerConfiguredIsClosedAndOneAtAnotherPathIsNotTaken() {
        int moved = listen("/run/libvirt/old-sock");
        Inheritance inheritance = inherit(new Handover(1, Duration.ZERO, OptionalInt.empty(),
                Map.of("libvirtd.socket", moved), Map.of(), Map.of(), Map.of(moved, posix.socketInode(moved))));

        assertEquals(List.of(), inheritance.sockets(List.of(LIBVIRTD)), "it listens at another path");
        inheritance.closeUnclaimed();
        PosixException closed = assertThrows(PosixException.class, () -> posix.socketInode(moved));
        assertTrue(closed.getMessage().contains("EBADF"), closed.getMessage());
    }

    @Test
    void aHostileVariableIsIgnoredAndTheRestOfTheEnvironmentKept() {
        Inheritance inheritance = Inheritance.from(Map.of(Handover.VARIABLE, "1 generation=9 control=3"), posix, proc);
        assertEquals(0, inheritance.generation());
        assertEquals(OptionalInt.empty(), inheritance.controlSocket(Path.of(CONTROL)));
        assertEquals(Map.of("PATH", "/usr/bin"), Inheritance.without(Map.of(Handover.VARIABLE, "x", "PATH", "/usr/bin")));
    }

    @Test
    void socketsPassedBackByTheStoreAreHeldWhereTheyListenAsConfiguredAndTheOthersClosed() {
        Endpoint.Tcp v4 = new Endpoint.Tcp("0.0.0.0", 16509);
        Endpoint.Tcp v6 = new Endpoint.Tcp("0:0:0:0:0:0:0:0", 16509);
        SocketSpec tcp4 = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp", v4);
        SocketSpec tcp6 = new SocketSpec(Daemon.LIBVIRTD, "libvirtd-tcp", v6);
        int socket = listen(LIBVIRT_SOCK); // fd 3, as systemd passes them
        int moved = listen(new Endpoint.Tcp("127.0.0.1", 16514)); // 4: the configuration moved it meanwhile
        int six = listen(v6); // 5
        int four = listen(v4); // 6
        assertEquals(List.of(3, 4, 5, 6), List.of(socket, moved, six, four));
        Map<String, String> environment = Map.of("LISTEN_PID", Integer.toString(posix.getpid()), "LISTEN_FDS", "4",
                "LISTEN_FDNAMES", "libvirtd.socket:libvirtd-tcp.3:libvirtd-tcp:libvirtd-tcp.2", "PATH", "/usr/bin");

        Inheritance inheritance = Inheritance.from(environment, posix, proc);
        assertEquals(Map.of("libvirtd.socket", posix.socketInode(socket), "libvirtd-tcp.3", posix.socketInode(moved),
                "libvirtd-tcp", posix.socketInode(six), "libvirtd-tcp.2", posix.socketInode(four)), inheritance.stored());
        assertEquals(List.of(new HeldSocket(LIBVIRTD, socket, posix.socketInode(socket)),
                        new HeldSocket(tcp4, four, posix.socketInode(four)),
                        new HeldSocket(tcp6, six, posix.socketInode(six))),
                inheritance.sockets(List.of(LIBVIRTD, tcp4, tcp6)), "each TCP socket by its own address");
        inheritance.closeUnclaimed();
        assertThrows(PosixException.class, () -> posix.socketInode(moved), "closed: nothing takes it");
        posix.socketInode(four); // held
        assertEquals(Map.of("PATH", "/usr/bin"), Inheritance.without(environment));
    }

    @Test
    void theControlSocketPassedBackByTheStoreIsServedWhereItListens() {
        int control = listen(CONTROL);
        int elsewhere = listen("/run/virtsup/old-control.sock");
        Inheritance stored = Inheritance.from(Map.of("LISTEN_PID", Integer.toString(posix.getpid()), "LISTEN_FDS", "1",
                "LISTEN_FDNAMES", Inheritance.CONTROL_KEY), posix, proc);
        assertEquals(OptionalInt.of(control), stored.controlSocket(Path.of(CONTROL)));
        assertEquals(List.of(), stored.sockets(List.of(LIBVIRTD)), "the control socket is no daemon's");

        Inheritance moved = Inheritance.from(Map.of("LISTEN_PID", Integer.toString(posix.getpid()), "LISTEN_FDS", "2",
                "LISTEN_FDNAMES", "x:" + Inheritance.CONTROL_KEY), posix, proc);
        assertEquals(List.of(3, 4), List.of(control, elsewhere));
        assertEquals(OptionalInt.empty(), moved.controlSocket(Path.of(CONTROL)), "it listens at another path");
        moved.closeUnclaimed();
        assertThrows(PosixException.class, () -> posix.socketInode(elsewhere));
    }

    @Test
    void storedDescriptorsPassedToAnotherProcessAreNotTaken() {
        int socket = listen(LIBVIRT_SOCK);
        Inheritance inheritance = Inheritance.from(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1",
                "LISTEN_FDNAMES", "libvirtd.socket"), posix, proc);
        assertEquals(List.of(), inheritance.sockets(List.of(LIBVIRTD)));
        inheritance.closeUnclaimed();
        posix.socketInode(socket); // not ours to close: another process was meant
    }
}

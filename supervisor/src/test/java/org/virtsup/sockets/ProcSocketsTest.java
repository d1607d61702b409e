package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Posix;

class ProcSocketsTest {
    @TempDir
    Path directory;

    @Test
    void readsListeningUnixSocketsFromTheKernelsTable() throws IOException {
        Path table = directory.resolve("unix");
        Files.writeString(table, """
                Num       RefCount Protocol Flags    Type St Inode Path
                0000000000000000: 00000002 00000000 00010000 0001 01 258860 /var/run/libvirt/libvirt-sock
                0000000000000000: 00000003 00000000 00000000 0001 03 258915 /var/run/libvirt/libvirt-sock
                0000000000000000: 00000002 00000000 00010000 0001 01 258870 @/abstract/name
                0000000000000000: 00000002 00000000 00000000 0002 01 19001
                """);
        assertEquals(Map.of(258860L, "/var/run/libvirt/libvirt-sock", 258870L, "@/abstract/name"),
                ProcSockets.listening(table));
        assertEquals(Set.of(258860L), ProcSockets.listeningUnixInodes(table, "/var/run/libvirt/libvirt-sock"));
    }

    /** The real /proc: a socket this JVM holds, and who serves a path. */
    @Test
    void seesTheSocketsOfARealProcessAndNamesTheOwnerOfAPath() {
        Posix posix = new JnrPosix();
        String path = directory.resolve("sock").toString();
        int fd = posix.listenUnix(path, 8);
        int pid = posix.getpid();
        try {
            long inode = posix.socketInode(fd);
            assertTrue(ProcSockets.ofThisHost().heldBy(pid).contains(inode));
            assertEquals(path, ProcSockets.ofThisHost().listeningUnix(pid).get(inode));
            Optional<String> owner = SocketOwners.ofThisHost().liveOwner(path);
            assertTrue(owner.isPresent() && owner.get().contains("pid " + pid + " ("), owner.toString());
        } finally {
            posix.close(fd);
        }
        assertEquals(Optional.empty(), SocketOwners.ofThisHost().liveOwner(path), "a socket file nobody serves is stale");
    }

    /** The real /proc/net/tcp and tcp6: each listening socket at its address and port, by inode. */
    @Test
    void seesListeningTcpSocketsByAddressAndPort() {
        Posix posix = new JnrPosix();
        int v4 = posix.listenTcp("127.0.0.1", 0, 8);
        int pid = posix.getpid();
        try {
            long inode = posix.socketInode(v4);
            Endpoint.Tcp at = ProcSockets.ofThisHost().listeningTcp(pid).get(inode);
            assertEquals("127.0.0.1", at.host(), String.valueOf(at));
            assertTrue(ProcSockets.ofThisHost().listensAt(pid, inode, new Endpoint.Tcp("127.0.0.1", at.port())));
            assertFalse(ProcSockets.ofThisHost().listensAt(pid, inode, new Endpoint.Tcp("0.0.0.0", at.port())));
            assertFalse(ProcSockets.ofThisHost().listensAt(pid, inode, new Endpoint.Tcp("127.0.0.1", at.port() + 1)));
        } finally {
            posix.close(v4);
        }
    }

    @Test
    void readsTheTcpTablesByteOrder() throws IOException {
        Path v4 = directory.resolve("tcp");
        Files.writeString(v4, """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:407D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0 100 0 0 10 0
                   1: 0100007F:407D 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4712 1 0 20 4 30 10 -1
                """);
        Path v6 = directory.resolve("tcp6");
        Files.writeString(v6, """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000000000000000000001000000:407D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4713 1 0 100 0 0 10 0
                """);
        assertEquals(Map.of(4711L, new Endpoint.Tcp("127.0.0.1", 16509)), ProcSockets.listeningTcp(v4));
        assertEquals(Map.of(4713L, new Endpoint.Tcp("0:0:0:0:0:0:0:1", 16509)), ProcSockets.listeningTcp(v6));
    }
}

package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}

package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real owner lookup, on real sockets of this process. */
class SocketOwnersTest {
    @TempDir
    Path directory;

    @Test
    void aSocketFileNobodyListensOnHasNoOwner() throws IOException {
        Path path = directory.resolve("stale-sock");
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path)).close();

        assertEquals(Optional.empty(), SocketOwners.ofThisHost().liveOwner(path.toString()));
    }

    /** A slow owner whose backlog is full must be named at once, not waited for on the event loop. */
    @Test
    void anOwnerWithAFullBacklogIsNamedWithoutWaiting() throws IOException {
        Path path = directory.resolve("busy-sock");
        List<SocketChannel> waiting = new ArrayList<>();
        try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.bind(UnixDomainSocketAddress.of(path), 1);
            for (int i = 0; i < 2; i++) { // a backlog of 1 takes 2 before it refuses
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
                client.connect(UnixDomainSocketAddress.of(path));
                waiting.add(client);
            }

            Optional<String> owner = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> SocketOwners.ofThisHost().liveOwner(path.toString()));

            assertTrue(owner.orElseThrow().contains("pid " + ProcessHandle.current().pid() + " ("), owner.toString());
        } finally {
            for (SocketChannel client : waiting) {
                client.close();
            }
        }
    }
}

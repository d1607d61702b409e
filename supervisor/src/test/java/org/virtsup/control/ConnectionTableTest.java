package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The connection limit survives the acceptor being stopped and started again
 * (a re-exec that failed): stopping lets a waiting acceptor go by freeing
 * every place, and the count must be put right afterwards, or each stop would
 * raise the limit by its whole capacity.
 */
class ConnectionTableTest {
    @Test
    void aStopAndRestartOfTheAcceptorLeavesTheLimitAsItWas() throws Exception {
        ConnectionTable table = new ConnectionTable(3, System::nanoTime, channel -> { });
        UnixSocketChannel[] pair = UnixSocketChannel.pair();
        try {
            ConnectionTable.Connection open = table.admit(pair[0]);
            assertEquals(2, table.freePlaces());
            for (int stop = 0; stop < 3; stop++) {
                table.releaseWaiters();
                table.restorePlaces();
            }
            assertEquals(2, table.freePlaces(), "still 3 less the one open");
            table.release(open);
            assertEquals(3, table.freePlaces());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}

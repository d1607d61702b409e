package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Posix;
import org.virtsup.posix.Signals;

class JvmSignalsTest {
    @Test
    void aSignalToThisProcessReachesTheCallbackByName() {
        List<String> received = new CopyOnWriteArrayList<>();
        // USR1: HotSpot leaves it alone, and in this test JVM nothing else listens for it.
        JvmSignals.route(received::add, "USR1");
        Posix posix = new JnrPosix();

        posix.kill(posix.getpid(), Signals.USR1);

        Eventually.until(() -> !received.isEmpty(), () -> "SIGUSR1 handed to the callback");
        assertEquals(List.of("USR1"), received);
    }
}

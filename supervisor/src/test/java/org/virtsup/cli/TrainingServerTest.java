package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtsup.control.ControlClient;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class TrainingServerTest {
    @TempDir
    Path dir;

    @Test
    void answersOneStatusWithItsSampleAndCleansUp() throws Exception {
        Path socket = dir.resolve("training.sock");
        try (TrainingServer server = TrainingServer.start(socket)) {
            Reply reply = new ControlClient(server.socket(), Duration.ofSeconds(10))
                    .call(new Request.Status(Optional.empty()));
            assertEquals(TrainingServer.sample(), reply);
        }
        assertFalse(Files.exists(socket));
    }
}

package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.virtsup.posix.JnrPosix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.control.ControlServer;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlTestSupport;

/**
 * The control commands are the health probes' hot path: a fresh JVM running
 * {@code virtsup status} must load neither jnr (native stubs, ~350 ms) nor
 * Logback, nor reflect on beans.
 */
@Timeout(60)
class ClientClassLoadingTest {
    @TempDir
    Path dir;

    @Test
    void statusLoadsNoJnrNoLogbackNoJacksonJr() throws Exception {
        Path socket = dir.resolve("control.sock");
        Path log = dir.resolve("classes.txt");
        try (ControlServer server = ControlServer.start(ControlServerSettings.of(socket, "root", 0,
                Duration.ofSeconds(30), Duration.ofSeconds(20)), ControlTestSupport.fake().handler(), new JnrPosix())) {
            Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xlog:class+load:file=" + log, "-cp", System.getProperty("java.class.path"),
                    ControlCommandsEntry.class.getName(), "status", "--socket", server.socket().toString())
                    .redirectErrorStream(true).start();
            String output = new String(client.getInputStream().readAllBytes());
            assertEquals(0, client.waitFor(), output);
        }
        List<String> loaded = Files.readAllLines(log);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.virtsup.control.ControlClient ")),
                "the log lists the client's classes");
        for (String forbidden : List.of(" jnr.", " com.kenai.", " ch.qos.logback.", " org.slf4j.",
                " com.fasterxml.jackson.jr.", " org.virtsup.control.ControlServer ")) {
            List<String> hits = loaded.stream().filter(l -> l.contains(forbidden)).toList();
            assertTrue(hits.isEmpty(), "status loaded" + forbidden + "...: " + hits);
        }
    }
}

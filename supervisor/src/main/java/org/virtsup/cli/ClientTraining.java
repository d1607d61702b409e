package org.virtsup.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A tool of the installation, not of supervision: makes the client path's
 * classes known to a class-data sharing archive by running {@code status}
 * (human and JSON output) against a {@link TrainingServer}, so that
 * <pre>java -XX:ArchiveClassesAtExit=virtsup-client.jsa -cp ... org.virtsup.cli.ClientTraining</pre>
 * writes an archive with which {@code -XX:SharedArchiveFile=virtsup-client.jsa}
 * starts every later {@code virtsup} command faster. It also loads the classes
 * {@code virtsup run} needs ({@link RunClasses}), without running anything of
 * it, so that the same archive starts {@code run} with about a third less CPU.
 * Prints nothing; exits 0 when the exchange worked.
 */
public final class ClientTraining {
    private ClientTraining() {}

    public static void main(String[] args) throws IOException {
        Path directory = Files.createTempDirectory("virtsup-training");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        int human;
        int json;
        try {
            try (TrainingServer server = TrainingServer.start(directory.resolve("human.sock"))) {
                human = ControlCommands.run("status", List.of("--socket", server.socket().toString()), discard,
                        discard, Map.of());
            }
            try (TrainingServer server = TrainingServer.start(directory.resolve("json.sock"))) {
                json = ControlCommands.run("status", List.of("--json", "--socket", server.socket().toString()),
                        discard, discard, Map.of());
            }
        } finally {
            Files.deleteIfExists(directory);
        }
        RunClasses.load(ClientTraining.class.getClassLoader());
        // The sample report has a failing daemon: status says so with 3.
        System.exit(human == ExitCode.NOT_RUNNING && json == ExitCode.NOT_RUNNING ? ExitCode.OK : ExitCode.FAILURE);
    }
}

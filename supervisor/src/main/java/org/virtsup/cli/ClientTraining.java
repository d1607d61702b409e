package org.virtsup.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tool of the installation, not of supervision: makes the client path's
 * classes known to a class-data sharing archive by running {@code status}
 * (human and JSON output) against a {@link TrainingServer}, so that
 * <pre>java -XX:ArchiveClassesAtExit=virtsup-client.jsa -cp ... org.virtsup.cli.ClientTraining</pre>
 * writes an archive with which {@code -XX:SharedArchiveFile=virtsup-client.jsa}
 * starts every later {@code virtsup} command faster. Unless told {@value #CLIENT_ONLY},
 * it also loads the classes {@code virtsup run} needs ({@link RunClasses}),
 * without running anything of it, so that the same archive starts {@code run}
 * with about a third less CPU. With {@value #CLIENT_ONLY} the archive holds the
 * control commands' classes alone: an AOT cache (JDK 25 on) loads every class
 * it holds at start-up, which run's would make slower for status.
 * Prints nothing; exits 0 when the exchange worked.
 */
public final class ClientTraining {
    /** The argument that leaves run's classes out. */
    static final String CLIENT_ONLY = "client";

    private ClientTraining() {}

    public static void main(String[] args) throws IOException {
        // Main's class, linked as status links it (verifying it loads Invocation), which then
        // sends the status to ControlCommands as below.
        try {
            Class.forName(Main.class.getName(), true, ClientTraining.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        Path directory = Files.createTempDirectory("virtsup-training");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        int human;
        int json;
        try {
            try (TrainingServer server = TrainingServer.start(directory.resolve("human.sock"))) {
                // Where status looks for the socket when not told; found at once here, no file read.
                ConfiguredSocket.resolve(server.socket(), Invocation.DEFAULT_CONFIG);
                human = ControlCommands.run("status", List.of("--socket", server.socket().toString()), discard,
                        discard, System.getenv());
            }
            try (TrainingServer server = TrainingServer.start(directory.resolve("json.sock"))) {
                json = ControlCommands.run("status", List.of("--json", "--socket", server.socket().toString()),
                        discard, discard, System.getenv());
            }
        } finally {
            Files.deleteIfExists(directory);
        }
        if (!List.of(args).contains(CLIENT_ONLY)) {
            RunClasses.load(ClientTraining.class.getClassLoader());
        }
        // The sample report has a failing daemon: status says so with 3.
        System.exit(human == ExitCode.NOT_RUNNING && json == ExitCode.NOT_RUNNING ? ExitCode.OK : ExitCode.FAILURE);
    }
}

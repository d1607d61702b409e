package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * {@code virtsup status} through {@link Main} must load nothing it does not
 * need to send one request and print one reply. Each name below was on that
 * path once, and cost a status call its start-up: jnr (native stubs, ~350
 * ms), Logback, the configuration model (Main's command table), a JSON
 * library, java.time's formatters, String.format's Formatter (and with it the
 * locale data), the ServiceLoader's search of every jar on the class path for
 * a selector provider. Generated classes of our own (a lambda or method
 * reference run) fail it too, and so does a class of ours on the path whose
 * string concatenation was compiled to invokedynamic (javac is told not to:
 * each one's first run spins method handles).
 */
@Timeout(60)
class ClientClassLoadingTest {
    /** Classes, by the start of their names, that {@code virtsup status} must not load. */
    static final List<String> FORBIDDEN = List.of("jnr.", "com.kenai.", "ch.qos.logback.", "org.slf4j.",
            "com.fasterxml.jackson.", "io.prometheus.", "org.virtsup.config.", "org.virtsup.control.ControlServer ",
            "org.virtsup.cli.Commands ", "org.virtsup.cli.RunCommand ", "org.virtsup.host.", "java.time.format.DateTimeFormatter",
            "java.util.Formatter ", "java.util.ServiceLoader ");

    @TempDir
    Path dir;

    @Test
    void statusLoadsNothingBeyondTheRequestAndTheReply() throws Exception {
        List<String> loaded = statusClasses();
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.virtsup.control.ControlClient ")),
                "the log lists the client's classes");
        for (String forbidden : FORBIDDEN) {
            List<String> hits = loaded.stream().filter(l -> l.contains(" " + forbidden)).toList();
            assertTrue(hits.isEmpty(), "status loaded " + forbidden + "...: " + hits);
        }
        List<String> generated = loaded.stream().filter(l -> l.contains(" org.virtsup.") && l.contains("$$Lambda"))
                .toList();
        assertTrue(generated.isEmpty(), "status ran a lambda or method reference of ours: " + generated);
        for (String line : loaded) {
            if (line.contains(" org.virtsup.") && !line.contains("$$Lambda")) {
                String name = line.substring(line.indexOf(" org.virtsup.") + 1).split(" ")[0];
                assertTrue(!constantPoolNames(name, "makeConcatWithConstants"),
                        name + " concatenates strings through invokedynamic: compile with -XDstringConcat=inline");
            }
        }
    }

    /** Whether the class file of NAME mentions TEXT (its constant pool holds every method it calls by name). */
    private static boolean constantPoolNames(String name, String text) throws IOException {
        try (InputStream in = ClientClassLoadingTest.class.getClassLoader()
                .getResourceAsStream(name.replace('.', '/') + ".class")) {
            assertTrue(in != null, "no class file for " + name);
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(text);
        }
    }

    /** The class loading log of {@code Main status} against a server with a fake supervisor. */
    private List<String> statusClasses() throws Exception {
        Path socket = dir.resolve("control.sock");
        Path log = dir.resolve("classes.txt");
        try (ControlServer server = ControlServer.start(ControlServerSettings.of(socket, "root", 0,
                Duration.ofSeconds(30), Duration.ofSeconds(20)), ControlTestSupport.fake().handler(), new JnrPosix())) {
            Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xlog:class+load:file=" + log, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "status", "--socket", server.socket().toString())
                    .redirectErrorStream(true).start();
            String output = new String(client.getInputStream().readAllBytes());
            assertEquals(0, client.waitFor(), output);
        }
        return Files.readAllLines(log);
    }
}

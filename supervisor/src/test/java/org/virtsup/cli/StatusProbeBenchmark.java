package org.virtsup.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.virtsup.control.ControlServer;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlTestSupport;

/**
 * Times {@code virtsup status} as a health probe runs it: a fresh JVM per call,
 * with the launcher's flags, against a control server with a fake supervisor.
 * Prints numbers; asserts nothing.
 *
 * <pre>
 * mvn -q -o -pl supervisor -am package -DskipTests
 * java -cp 'supervisor/target/test-classes:supervisor/target/classes:supervisor/target/lib/*' \
 *     org.virtsup.cli.StatusProbeBenchmark [RUNS [CLIENT_CLASS_PATH]]   (run in supervisor/)
 * </pre>
 * {@code -Dvirtsup.bench.classes=FILE} keeps the client's class loading log.
 * <pre>
 * </pre>
 */
public final class StatusProbeBenchmark {
    private static final List<String> LAUNCHER_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto");

    private StatusProbeBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dir = Files.createTempDirectory("virtsup-bench");
        Path socket = dir.resolve("control.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Jars, not class directories: class-data sharing archives only classes from jars.
        String classPath = args.length > 1 ? args[1]
                : "target/virtsup.jar:target/virtsup-tests.jar:target/lib/*";
        try (ControlServer server = ControlServer.start(ControlServerSettings.of(socket, "root", 0,
                Duration.ofSeconds(30), Duration.ofSeconds(20)), ControlTestSupport.fake().handler())) {
            System.out.printf("client of %s, JVM %s%n", server.socket(), System.getProperty("java.vm.version"));
            List<String> base = new ArrayList<>();
            base.add(java);
            base.addAll(LAUNCHER_FLAGS);
            base.add("-cp");
            base.add(classPath);
            List<String> plain = new ArrayList<>(base);
            report("launcher flags", time(plain, socket, runs));

            Path archive = dir.resolve("virtsup-client.jsa");
            List<String> dump = new ArrayList<>(base);
            dump.add(1, "-XX:ArchiveClassesAtExit=" + archive);
            run(dump, socket);
            List<String> shared = new ArrayList<>(base);
            shared.add(1, "-XX:SharedArchiveFile=" + archive);
            report("launcher flags + AppCDS archive (" + Files.size(archive) / 1024 + " KiB)", time(shared, socket, runs));

            List<String> count = new ArrayList<>(base);
            count.add(1, "-Xlog:class+load:file=" + dir.resolve("classes.txt"));
            run(count, socket);
            List<String> loaded = Files.readAllLines(dir.resolve("classes.txt"));
            String keep = System.getProperty("virtsup.bench.classes");
            if (keep != null) {
                Files.write(Path.of(keep), loaded);
            }
            long jackson = loaded.stream().filter(l -> l.contains("com.fasterxml.jackson")).count();
            long fromArchive = loaded.stream().filter(l -> l.contains("shared objects file")).count();
            long fromRuntime = loaded.stream().filter(l -> l.contains("source: jrt:/")).count();
            long generated = loaded.stream().filter(l -> l.contains("Lambda") || l.contains("LambdaForm")
                    || l.contains("$$")).count();
            System.out.printf("classes: %d from the JDK's CDS archive, %d from the JDK's modules, %d generated"
                    + " (lambdas, method handles)%n", fromArchive, fromRuntime, generated);
            long jnr = loaded.stream().filter(l -> l.contains(" jnr.") || l.contains("com.kenai")).count();
            long logback = loaded.stream().filter(l -> l.contains("ch.qos.logback")).count();
            long virtsup = loaded.stream().filter(l -> l.contains("org.virtsup")).count();
            System.out.printf("classes loaded: %d in all, %d org.virtsup, %d jackson, %d jnr, %d logback%n",
                    loaded.size(), virtsup, jackson, jnr, logback);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static List<Long> time(List<String> command, Path socket, int runs) throws IOException, InterruptedException {
        run(command, socket); // warm the page cache
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            run(command, socket);
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        return millis;
    }

    private static void run(List<String> jvm, Path socket) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(jvm);
        command.add(ControlCommandsEntry.class.getName());
        command.add("status");
        command.add("--socket");
        command.add(socket.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException("status exited " + code + ": " + new String(output));
        }
    }

    private static void report(String what, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf("virtsup status, %s: median %d ms, min %d ms, max %d ms over %d runs%n", what,
                sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    }
}

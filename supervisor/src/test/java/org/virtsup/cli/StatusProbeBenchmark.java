package org.virtsup.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.virtsup.posix.JnrPosix;
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
            "-XX:-UsePerfData", "-Xshare:auto");

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
                Duration.ofSeconds(30), Duration.ofSeconds(20)), ControlTestSupport.fake().handler(), new JnrPosix())) {
            System.out.printf("client of %s, JVM %s%n", server.socket(), System.getProperty("java.vm.version"));
            List<String> base = new ArrayList<>();
            base.add(java);
            base.addAll(LAUNCHER_FLAGS);
            base.add("-cp");
            base.add(classPath);
            Path archive = dir.resolve("virtsup-client.jsa");
            // The archive as an installation would make it: by the training run, no virtsup needed.
            List<String> dump = new ArrayList<>(base);
            dump.add(1, "-XX:ArchiveClassesAtExit=" + archive);
            dump.add(ClientTraining.class.getName());
            dump.add(ClientTraining.CLIENT_ONLY);
            Process training = new ProcessBuilder(dump).redirectErrorStream(true).start();
            training.getInputStream().readAllBytes();
            if (training.waitFor() != 0) {
                throw new IllegalStateException("the training run failed: " + String.join(" ", dump));
            }
            List<String> shared = new ArrayList<>(base);
            shared.add(1, "-XX:SharedArchiveFile=" + archive);
            System.out.printf("AppCDS archive: %d KiB%n", Files.size(archive) / 1024);

            // Interleaved, so that the load of a shared machine falls on all three alike.
            Sample baseline = new Sample("an empty main (JVM start-up alone)");
            Sample plain = new Sample("virtsup status, launcher flags");
            Sample archived = new Sample("virtsup status, launcher flags + AppCDS archive");
            run(base, socket, false);
            run(base, socket, true);
            for (int i = 0; i < runs; i++) {
                baseline.add(run(base, socket, false));
                plain.add(run(base, socket, true));
                archived.add(run(shared, socket, true));
            }
            baseline.report();
            plain.report();
            archived.report();

            List<String> count = new ArrayList<>(base);
            count.add(1, "-Xlog:class+load:file=" + dir.resolve("classes.txt"));
            run(count, socket, true);
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

    /** Wall time and, when /usr/bin/time is there, CPU time (user + system) of one run. */
    private record Measure(long wallMillis, long cpuMillis) {
    }

    private static final class Sample {
        final String what;
        final List<Long> wall = new ArrayList<>();
        final List<Long> cpu = new ArrayList<>();

        Sample(String what) {
            this.what = what;
        }

        void add(Measure measure) {
            wall.add(measure.wallMillis());
            if (measure.cpuMillis() >= 0) {
                cpu.add(measure.cpuMillis());
            }
        }

        void report() {
            List<Long> sorted = new ArrayList<>(wall);
            Collections.sort(sorted);
            String line = String.format("%s: wall median %d ms, min %d ms, max %d ms over %d runs", what,
                    sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
            if (!cpu.isEmpty()) {
                List<Long> cpuSorted = new ArrayList<>(cpu);
                Collections.sort(cpuSorted);
                line += String.format("; CPU median %d ms", cpuSorted.get(cpuSorted.size() / 2));
            }
            System.out.println(line);
        }
    }

    private static final Path TIME = Path.of("/usr/bin/time");
    private static final String TIME_MARK = "virtsup-benchmark-time";

    private static Measure run(List<String> jvm, Path socket, boolean status) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        boolean timed = Files.isExecutable(TIME);
        if (timed) {
            command.addAll(List.of(TIME.toString(), "-f", TIME_MARK + " %U %S"));
        }
        command.addAll(jvm);
        if (status) {
            command.add(ControlCommandsEntry.class.getName());
            command.add("status");
            command.add("--socket");
            command.add(socket.toString());
        } else {
            command.add(NoOperation.class.getName());
        }
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        int code = process.waitFor();
        long wall = (System.nanoTime() - start) / 1_000_000;
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + code + ": " + output);
        }
        long cpu = -1;
        int mark = output.lastIndexOf(TIME_MARK);
        if (timed && mark >= 0) {
            String[] fields = output.substring(mark + TIME_MARK.length()).trim().split("\\s+");
            cpu = Math.round((Double.parseDouble(fields[0]) + Double.parseDouble(fields[1])) * 1000);
        }
        return new Measure(wall, cpu);
    }
}

package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /usr/bin/virtsup with a stand-in for java (VIRTSUP_JAVA) that prints its
 * own pid and the arguments it got, one per line: what the JVM would be
 * started with, and whether the launcher exec'd into it. With another
 * VIRTSUP_JAVA than the default, the package's class-data archive is not
 * used unless VIRTSUP_CDS_ARCHIVE names one.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("debian", "virtsup");
    private static final List<String> CLASS_PATH_AND_MAIN = List.of(
            "-cp", "/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*", "org.virtsup.cli.Main");

    private Path standIn;

    @BeforeEach
    void standInForJava(@TempDir Path directory) throws IOException {
        standIn = directory.resolve("java");
        Files.writeString(standIn, "#!/bin/sh\necho \"$$\"\nfor argument in \"$@\"; do printf '%s\\n' \"$argument\"; done\n");
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void startsTheJvmWithTheFastStartFlagsAndPassesTheArgumentsVerbatim() throws IOException {
        Started started = launch(Map.of(), "status", "a b", "*");
        assertEquals(concat(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("status", "a b", "*")), started.arguments());
    }

    @Test
    void startsFromTheClassDataArchiveWhenThereIsOne(@TempDir Path directory) throws IOException {
        Path archive = directory.resolve("virtsup-client.jsa");
        Files.writeString(archive, "an archive");
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", archive.toString()), "status");
        assertEquals(concat(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-XX:SharedArchiveFile=" + archive,
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("status")), started.arguments());
    }

    @Test
    void startsWithoutAnArchiveThatIsNotThere(@TempDir Path directory) throws IOException {
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", directory.resolve("missing.jsa").toString()), "status");
        assertEquals(concat(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("status")), started.arguments());
    }

    @Test
    void takesTheJvmFlagsFromVirtsupJavaOptsInsteadSplitButNotGlobbed() throws IOException {
        Started started = launch(Map.of("VIRTSUP_JAVA_OPTS", "-Xmx64m  -Dvirtsup.pattern=*"), "check");
        assertEquals(concat(List.of("-Xmx64m", "-Dvirtsup.pattern=*"), CLASS_PATH_AND_MAIN, List.of("check")),
                started.arguments());
    }

    @Test
    void givesRunABoundedJvmWithoutPeriodicWakeUps() throws IOException {
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", ""), "run", "--config", "/etc/virtsup/config.scm");
        assertEquals(concat(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-Xms4m", "-Xmx64m", "-Xss256k", "-XX:ReservedCodeCacheSize=16m", "-XX:CICompilerCount=1",
                        "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                        "-XX:AsyncDeflationInterval=0",
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("run", "--config", "/etc/virtsup/config.scm")), started.arguments());
    }

    @Test
    void execsSoThatTheJvmKeepsTheLaunchersPid() throws IOException {
        Started started = launch(Map.of(), "run");
        assertEquals(started.launcherPid(), started.javaPid(), "the JVM is the launcher's process, not its child");
    }

    private record Started(long launcherPid, long javaPid, List<String> arguments) {}

    private Started launch(Map<String, String> environment, String... arguments) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(concat(List.of(LAUNCHER.toString()), List.of(arguments)))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().remove("VIRTSUP_JAVA_OPTS");
        builder.environment().remove("VIRTSUP_CDS_ARCHIVE");
        builder.environment().put("VIRTSUP_JAVA", standIn.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().toList();
        try {
            assertEquals(0, process.waitFor(), "the launcher's exit status");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Started(process.pid(), Long.parseLong(lines.get(0)), lines.subList(1, lines.size()));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static List<String> concat(List<String> first, List<String> second, List<String> third) {
        return concat(concat(first, second), third);
    }
}

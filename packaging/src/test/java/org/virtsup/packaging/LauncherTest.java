package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.cli.ControlCommands;

/**
 * /usr/bin/virtsup with a stand-in for java (VIRTSUP_JAVA) that prints its
 * own pid and the arguments it got, one per line: what the JVM would be
 * started with, and whether the launcher exec'd into it. The stand-in sits
 * in a JDK-like directory whose release file says which JDK it is, as a
 * real JDK's does: the options that depend on the release come from there.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("debian", "virtsup");
    private static final List<String> CLASS_PATH_AND_MAIN = List.of(
            "-cp", "/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*", "org.virtsup.cli.Main");

    private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");

    private Path jdks;
    private Path standIn;
    /** Where the launcher looks for jffi's stub: jvm.sh's place replaced, so that an installed virtsup does not count. */
    private Path stubDirectory;
    private Path jvmSh;

    @BeforeEach
    void standInForJava(@TempDir Path directory) throws IOException {
        jdks = directory;
        standIn = standInJdk("jdk-17", "17.0.15", "17.0.15+6-Debian-1deb12u1");
        stubDirectory = directory.resolve("lib-virtsup");
        jvmSh = directory.resolve("jvm.sh");
        Files.writeString(jvmSh, ". '" + Path.of("debian", "jvm.sh").toAbsolutePath() + "'\n"
                + "virtsup_stub_directory='" + stubDirectory + "'\n");
    }

    /** The stub as the package installs it: loaded from there by every command that binds libc. */
    @Test
    void pointsJffiAtTheInstalledStubWhenThereIsOne() throws IOException {
        assertFalse(launch(Map.of(), "check").arguments().stream().anyMatch(a -> a.startsWith("-Djffi.")),
                "no stub installed: jffi finds its own");
        Files.createDirectories(stubDirectory);
        Files.writeString(stubDirectory.resolve("libjffi-1.2.so"), "");
        String option = "-Djffi.boot.library.path=" + stubDirectory;
        assertTrue(launch(Map.of(), "check").arguments().contains(option));
        assertTrue(launch(Map.of("VIRTSUP_CDS_ARCHIVE", ""), "run").arguments().contains(option));
        assertTrue(launch(Map.of("VIRTSUP_JAVA_OPTS", "-Xmx64m"), "render").arguments().contains(option),
                "kept with VIRTSUP_JAVA_OPTS, as the native-access options are");
        assertFalse(launch(Map.of(), "status").arguments().contains(option), "a control command binds nothing");
    }

    /** A directory NAME/bin/java (the stand-in) with NAME/release saying VERSION and BUILD; null VERSION: none. */
    private Path standInJdk(String name, String version, String build) throws IOException {
        Path java = jdks.resolve(name).resolve("bin").resolve("java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\necho \"$$\"\nfor argument in \"$@\"; do printf '%s\\n' \"$argument\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (version != null) {
            Files.writeString(jdks.resolve(name).resolve("release"), "IMPLEMENTOR=\"Debian\"\n"
                    + "JAVA_RUNTIME_VERSION=\"" + build + "\"\nJAVA_VERSION=\"" + version + "\"\nLIBC=\"gnu\"\n");
        }
        return java;
    }

    @Test
    void startsTheJvmWithTheFastStartFlagsAndPassesTheArgumentsVerbatim() throws IOException {
        Started started = launch(Map.of(), "check", "a b", "*");
        assertEquals(concat(NATIVE_ACCESS, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("check", "a b", "*")), started.arguments());
    }

    /** The control commands load nothing native: no native-access options, which cost the JDK its archived module graph. */
    @Test
    void startsAControlCommandWithoutNativeAccess() throws IOException {
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
        assertEquals(concat(NATIVE_ACCESS, List.of("-Xmx64m", "-Dvirtsup.pattern=*"), CLASS_PATH_AND_MAIN, List.of("check")),
                started.arguments());
    }

    /** Added after the defaults, so that a flag there overrides its default. */
    @Test
    void addsTheExtraJvmFlagsAfterTheOthers() throws IOException {
        Started started = launch(Map.of("VIRTSUP_JAVA_EXTRA_OPTS", "-XX:ArchiveRelocationMode=0  -Dvirtsup.pattern=*",
                "VIRTSUP_CDS_ARCHIVE", ""), "check");
        List<String> arguments = started.arguments();
        assertEquals(List.of("-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags",
                "-XX:ArchiveRelocationMode=0", "-Dvirtsup.pattern=*"),
                arguments.subList(arguments.indexOf("-Xlog:disable"), arguments.indexOf("-cp")), arguments.toString());
        Started replaced = launch(Map.of("VIRTSUP_JAVA_OPTS", "-Xmx64m", "VIRTSUP_JAVA_EXTRA_OPTS", "-Xmx32m"), "check");
        assertEquals(concat(NATIVE_ACCESS, List.of("-Xmx64m", "-Xmx32m"), CLASS_PATH_AND_MAIN, List.of("check")),
                replaced.arguments());
    }

    @Test
    void givesRunABoundedJvmWithoutPeriodicWakeUps() throws IOException {
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", ""), "run", "--config", "/etc/virtsup/config.scm");
        assertEquals(concat(NATIVE_ACCESS, List.of("-Dvirtsup.launcher=" + LAUNCHER.toRealPath(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                        "-Xms4m", "-Xmx64m", "-Xss256k", "-XX:ReservedCodeCacheSize=16m", "-XX:CICompilerCount=1",
                        "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                        "-XX:AsyncDeflationInterval=0",
                        "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("run", "--config", "/etc/virtsup/config.scm")), started.arguments());
    }

    /** A re-exec's check runs with run's flags: flags a new JDK refuses fail the check, not the exec. */
    @Test
    void givesTheCheckOfAReexecRunsFlags() throws IOException {
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", "", "VIRTSUP_CHECK_FOR_RUN", "1"), "check", "--config",
                "/etc/virtsup/config.scm");
        assertEquals(concat(NATIVE_ACCESS, List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                        "-Xshare:auto", "-Xms4m", "-Xmx64m", "-Xss256k", "-XX:ReservedCodeCacheSize=16m",
                        "-XX:CICompilerCount=1", "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
                        "-XX:AsyncDeflationInterval=0", "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("check", "--config", "/etc/virtsup/config.scm")), started.arguments());
        Started plain = launch(Map.of("VIRTSUP_CDS_ARCHIVE", "", "VIRTSUP_CHECK_FOR_RUN", "1"), "status");
        assertFalse(plain.arguments().contains("-Xss256k"), "only a check: " + plain.arguments());
    }

    @Test
    void allowsUnsafeMemoryAccessOnlyFromJdk23WhereTheOptionExists() throws IOException {
        Path jdk25 = standInJdk("jdk-25", "25.0.3", "25.0.3+9-LTS");
        Started started = launch(Map.of("VIRTSUP_JAVA", jdk25.toString(), "VIRTSUP_JAVA_OPTS", "-Xmx8m"), "check");
        assertEquals(concat(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx8m"), CLASS_PATH_AND_MAIN, List.of("check")), started.arguments());
        Path jdk21 = standInJdk("jdk-21", "21.0.8", "21.0.8+9-Debian-1");
        started = launch(Map.of("VIRTSUP_JAVA", jdk21.toString(), "VIRTSUP_JAVA_OPTS", "-Xmx8m"), "check");
        assertEquals(concat(NATIVE_ACCESS, List.of("-Xmx8m"), CLASS_PATH_AND_MAIN, List.of("check")),
                started.arguments());
    }

    @Test
    void passesNoReleaseDependentOptionToAJavaOfUnknownRelease() throws IOException {
        Path unknown = standInJdk("no-release", null, null);
        Started started = launch(Map.of("VIRTSUP_JAVA", unknown.toString(), "VIRTSUP_JAVA_OPTS", "-Xmx8m"), "status");
        assertEquals(concat(List.of("-Xmx8m"), CLASS_PATH_AND_MAIN, List.of("status")), started.arguments());
    }

    @Test
    void runsTheJavaOnPathWhenItIsAJdk17OrLater() throws IOException {
        Path jdk21 = standInJdk("jdk-21", "21.0.8", "21.0.8+9-Debian-1");
        Map<String, String> environment = new HashMap<>(Map.of(
                "PATH", jdk21.getParent() + ":/usr/bin:/bin", "VIRTSUP_JAVA_OPTS", "-Xmx8m"));
        Started started = launch(environment, true, "check");
        assertEquals(concat(NATIVE_ACCESS, List.of("-Xmx8m"), CLASS_PATH_AND_MAIN, List.of("check")),
                started.arguments());
    }

    @Test
    void namesTheClassDataArchiveAfterTheJdkBuildSoThatAnotherJdkFindsNone() throws IOException {
        Path jdk17 = standInJdk("java-17-openjdk-amd64", "17.0.15", "17.0.15+6-Debian-1deb12u1");
        Path jdk17Updated = standInJdk("java-17-openjdk-amd64-next", "17.0.16", "17.0.16+8-Debian-1deb12u1");
        Path jdk25 = standInJdk("temurin-25-jdk-amd64", "25.0.3", "25.0.3+9-LTS");
        assertEquals("/var/cache/virtsup/virtsup-client-java-17-openjdk-amd64-17.0.15+6-Debian-1deb12u1.jsa"
                + " /var/cache/virtsup/virtsup-run-java-17-openjdk-amd64-17.0.15+6-Debian-1deb12u1.jsa",
                archivesFor(jdk17));
        assertEquals("/var/cache/virtsup/virtsup-client-java-17-openjdk-amd64-next-17.0.16+8-Debian-1deb12u1.jsa"
                + " /var/cache/virtsup/virtsup-run-java-17-openjdk-amd64-next-17.0.16+8-Debian-1deb12u1.jsa",
                archivesFor(jdk17Updated));
        assertEquals("/var/cache/virtsup/virtsup-client-temurin-25-jdk-amd64-25.0.3+9-LTS.aot"
                + " /var/cache/virtsup/virtsup-run-temurin-25-jdk-amd64-25.0.3+9-LTS.jsa", archivesFor(jdk25),
                "from JDK 25 on, the control commands start from an AOT cache");
        assertEquals(" ", archivesFor(standInJdk("no-release", null, null)), "no build known, no archive");
    }

    /** jvm.sh's client and run archives for JAVA, as /usr/bin/virtsup and postinst compute them. */
    private static String archivesFor(Path java) throws IOException {
        Process process = new ProcessBuilder("sh", "-euc",
                ". debian/jvm.sh; virtsup_jdk \"$1\"; virtsup_archives /var/cache/virtsup;"
                        + " printf '%s %s' \"$virtsup_client_archive\" \"$virtsup_run_archive\"",
                "sh", java.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String archive = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertEquals(0, process.waitFor(), "jvm.sh's exit status");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return archive;
    }

    /** The JVM refuses -XX:AOTCache beside any -Xshare option. */
    @Test
    void startsFromAnAotCacheWithoutXshare(@TempDir Path directory) throws IOException {
        Path cache = directory.resolve("virtsup-client.aot");
        Files.writeString(cache, "a cache");
        Started started = launch(Map.of("VIRTSUP_CDS_ARCHIVE", cache.toString()), "status");
        assertEquals(concat(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                        "-XX:AOTCache=" + cache, "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags"),
                CLASS_PATH_AND_MAIN, List.of("status")), started.arguments());
    }

    /** jvm.sh's list of the control commands is the CLI's. */
    @Test
    void knowsTheControlCommandsAsTheCliDoes() throws IOException, InterruptedException {
        List<String> words = new ArrayList<>(ControlCommands.names());
        words.addAll(List.of("run", "check", "render", "explain", "--help", "", "statu", "status "));
        for (String word : words) {
            Process process = new ProcessBuilder("sh", "-euc", ". debian/jvm.sh; virtsup_control_command \"$1\"",
                    "sh", word).redirectErrorStream(true).start();
            assertEquals(ControlCommands.handles(word) ? 0 : 1, process.waitFor(), "'" + word + "'");
        }
    }

    @Test
    void execsSoThatTheJvmKeepsTheLaunchersPid() throws IOException {
        Started started = launch(Map.of(), "run");
        assertEquals(started.launcherPid(), started.javaPid(), "the JVM is the launcher's process, not its child");
    }

    private record Started(long launcherPid, long javaPid, List<String> arguments) {}

    private Started launch(Map<String, String> environment, String... arguments) throws IOException {
        return launch(environment, false, arguments);
    }

    /** Runs the launcher with the stand-in as VIRTSUP_JAVA, or with no VIRTSUP_JAVA at all when javaFromPath. */
    private Started launch(Map<String, String> environment, boolean javaFromPath, String... arguments)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(concat(List.of(LAUNCHER.toString()), List.of(arguments)))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().remove("VIRTSUP_JAVA_OPTS");
        builder.environment().remove("VIRTSUP_CDS_ARCHIVE");
        builder.environment().remove("VIRTSUP_JAVA");
        builder.environment().remove("VIRTSUP_JAVA_EXTRA_OPTS");
        if (!javaFromPath) {
            builder.environment().put("VIRTSUP_JAVA", standIn.toString());
        }
        builder.environment().put("VIRTSUP_JVM_SH", jvmSh.toString());
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

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}

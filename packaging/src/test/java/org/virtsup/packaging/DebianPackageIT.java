package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The .deb the package phase wrote, read back with Debian's own dpkg-deb and
 * installed with dpkg on the local base image.
 */
class DebianPackageIT {

    private static final Path SUPERVISOR_LIB = Path.of(System.getProperty("virtsup.lib", "../supervisor/target/lib"));
    private static final Path UNIT_SOURCE = Path.of("systemd", "virtsup.service");
    /** jffi's native stub as the package installs it, where /usr/bin/virtsup points jffi. */
    private static final String JFFI_STUB = "/usr/lib/virtsup/libjffi-1.2.so";

    private static Path deb;
    /** Path in the package (without the leading "."), to "mode owner". */
    private static Map<String, String> files;

    @BeforeAll
    static void readPackage() throws IOException {
        OutsideTool.require("dpkg-deb", List.of("dpkg-deb", "--version"));
        deb = BuiltDeb.path();
        files = new TreeMap<>();
        for (String line : dpkgDeb("-c", deb.toString()).stdout().split("\n")) {
            // -rw-r--r-- root/root      2793 2026-11-26 10:16 ./usr/share/virtsup/virtsup.jar
            String[] columns = line.trim().split("\\s+", 6);
            if (columns.length == 6 && columns[0].startsWith("-")) {
                files.put(columns[5].substring(1), columns[0] + " " + columns[1]);
            }
        }
    }

    @Test
    void carriesTheDebianFormOfTheMavenVersion() {
        assertEquals(BuiltDeb.debianVersion(), dpkgDeb("-f", deb.toString(), "Version").stdout().strip());
    }

    @Test
    void holdsTheLauncherTheConfigurationAndTheJarsOwnedByRoot() throws IOException {
        assertEquals("-rwxr-xr-x root/root", files.get("/usr/bin/virtsup"), "/usr/bin/virtsup");
        assertEquals("-rw-r--r-- root/root", files.get("/etc/virtsup/config.scm"), "/etc/virtsup/config.scm");
        assertEquals("-rw-r--r-- root/root", files.get("/usr/share/virtsup/virtsup.jar"), "virtsup.jar");

        Set<String> classPath;
        try (Stream<Path> jars = Files.list(SUPERVISOR_LIB)) {
            classPath = jars.map(p -> "/usr/share/virtsup/lib/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(classPath.size() > 1, "the supervisor's class path in " + SUPERVISOR_LIB);
        Set<String> packaged = files.keySet().stream()
                .filter(p -> p.startsWith("/usr/share/virtsup/lib/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(classPath, packaged, "the package's lib/ is the supervisor's runtime class path");
        packaged.forEach(jar -> assertEquals("-rw-r--r-- root/root", files.get(jar), jar));
    }

    @Test
    void holdsNothingElse() {
        Set<String> expected = new TreeSet<>(List.of("/usr/bin/virtsup", "/etc/virtsup/config.scm",
                "/usr/share/virtsup/virtsup.jar", "/usr/share/virtsup/jvm.sh", "/lib/systemd/system/virtsup.service",
                "/usr/share/bash-completion/completions/virtsup", JFFI_STUB));
        Set<String> unexpected = files.keySet().stream()
                .filter(p -> !expected.contains(p) && !p.startsWith("/usr/share/virtsup/lib/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), unexpected, "files in the package that nothing expects");
    }

    /** jffi's stub, out of the jar it comes in, for the launcher to name: no start copies it into /tmp. */
    @Test
    void holdsJffisNativeStubAsItsJarHasIt() throws IOException {
        assertEquals("-rw-r--r-- root/root", files.get(JFFI_STUB), JFFI_STUB);
        Path nativeJar;
        try (Stream<Path> jars = Files.list(SUPERVISOR_LIB)) {
            nativeJar = jars.filter(p -> p.getFileName().toString().matches("jffi-.*-native\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no jffi native jar in " + SUPERVISOR_LIB));
        }
        long inJar;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(nativeJar.toFile())) {
            inJar = jar.getEntry("jni/x86_64-Linux/libjffi-1.2.so").getSize();
        }
        String listing = dpkgDeb("-c", deb.toString()).stdout().lines()
                .filter(line -> line.endsWith(" ." + JFFI_STUB)).findFirst().orElseThrow();
        assertEquals(inJar, Long.parseLong(listing.trim().split("\\s+")[2]), listing);
    }

    @Test
    void holdsTheSystemdUnitWhoseProgramItInstalls() throws IOException {
        assertEquals("-rw-r--r-- root/root", files.get("/lib/systemd/system/virtsup.service"));
        List<String> programs = Files.readAllLines(UNIT_SOURCE).stream()
                .filter(line -> line.startsWith("ExecStart="))
                .map(line -> line.substring("ExecStart=".length()).strip().split("\\s+")[0])
                .toList();
        assertEquals(1, programs.size(), "one ExecStart= in " + UNIT_SOURCE + ": " + programs);
        assertEquals("-rwxr-xr-x root/root", files.get(programs.get(0)),
                "the unit's ExecStart program " + programs.get(0) + " is an executable of the package");
    }

    @Test
    void holdsTheBashCompletion() {
        assertEquals("-rw-r--r-- root/root", files.get("/usr/share/bash-completion/completions/virtsup"));
    }

    @Test
    void declaresItsDependenciesConffileAndTrigger() {
        String control = dpkgDeb("-f", deb.toString(), "Package", "Architecture", "Depends").stdout();
        assertEquals("""
                Package: virtsup
                Architecture: amd64
                Depends: openjdk-17-jre-headless | openjdk-21-jre-headless | openjdk-25-jre-headless | java17-runtime-headless, libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, adduser
                """, control);
        assertEquals("/etc/virtsup/config.scm\n", dpkgDeb("-I", deb.toString(), "conffiles").stdout());
        assertTrue(dpkgDeb("-I", deb.toString(), "triggers").stdout().lines()
                        .anyMatch(line -> line.equals("interest-noawait /usr/lib/jvm")),
                "a JDK update triggers a new class-data archive");
    }

    @Test
    void hasExecutableMaintainerScriptsThatParse(@TempDir Path control) {
        dpkgDeb("-e", deb.toString(), control.toString());
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path file = control.resolve(script);
            assertTrue(Files.isExecutable(file), script + " is executable");
            OutsideTool.run(List.of("sh", "-n", file.toString()), Map.of(), 60).expectSuccess();
        }
    }

    /** On Debian 12 (libvirt 9.0, OpenJDK 17) and Debian 13 (libvirt 11.3, OpenJDK 21): the Depends fit both. */
    @ParameterizedTest(name = "on Debian {0}")
    @ValueSource(strings = {"bookworm", "trixie"})
    void installsRunsRetriggersAndPurgesWithoutNetworkOnTheBaseImage(String release) {
        OutsideTool.require("a Docker engine", List.of("docker", "info"));
        String base = OutsideTool.baseImage(release).orElse(null);
        OutsideTool.requireThat(base != null, "the " + release + " base image reference (VIRTSUP_BASE_IMAGE"
                + (release.equals("bookworm") ? "" : "_" + release.toUpperCase(Locale.ROOT)) + ")");
        String name = "virtsup-packaging-it-" + UUID.randomUUID();
        String script = String.join("\n",
                "set -eu",
                // dpkg refuses a package whose Depends the release does not satisfy.
                "dpkg -i /pkg/" + deb.getFileName(),
                "getent group libvirt",
                "dpkg -i /pkg/" + deb.getFileName() + "   # again: an upgrade in place",
                "virtsup --help",
                "virtsup check",
                // The class-data archives exist and fit this JDK and these jars (-Xshare:on refuses
                // to start otherwise), each with the options its commands run with, and no JVM warning
                // reaches stdout or stderr: the control commands' (no native access) and the others'.
                // They are named after the JDK build /usr/bin/virtsup picks (jvm.sh), so no other java finds them.
                ". /usr/share/virtsup/jvm.sh; virtsup_pick_java; virtsup_native_options; virtsup_archives /var/cache/virtsup",
                "archive=$virtsup_run_archive",
                "case $archive in /var/cache/virtsup/virtsup-run-java-*-openjdk-*.jsa) ;; *) echo \"archive $archive\"; exit 1;; esac",
                "case $virtsup_client_archive in /var/cache/virtsup/virtsup-client-java-*-openjdk-*.jsa) ;;"
                        + " *) echo \"client archive $virtsup_client_archive\"; exit 1;; esac",
                "test -s $archive || { echo 'postinst made no class-data archive'; exit 1; }",
                "test -s $virtsup_client_archive || { echo 'postinst made no class-data archive for the client'; exit 1; }",
                "test $(ls /var/cache/virtsup | wc -l) -eq 2 || { ls /var/cache/virtsup; exit 1; }",
                "$virtsup_java $virtsup_native $VIRTSUP_QUICK_OPTIONS -Xshare:on -XX:SharedArchiveFile=$archive"
                        + " -cp '/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*' org.virtsup.cli.Main --help >/dev/null",
                "$virtsup_java $VIRTSUP_QUICK_OPTIONS -Xshare:on -XX:SharedArchiveFile=$virtsup_client_archive"
                        + " -cp '/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*' org.virtsup.cli.Main status --help"
                        + " >/dev/null",
                // jnr's stub is loaded from the package's copy, not copied into /tmp (the host checks ask
                // libvirtd its version through jnr).
                "VIRTSUP_JAVA_OPTS=-Xlog:library=info:stdout virtsup check >/tmp/check.out",
                "grep -q 'Loaded library " + JFFI_STUB + "' /tmp/check.out || { cat /tmp/check.out; exit 1; }",
                "virtsup render virtlogd >/dev/null 2>/tmp/render.err",
                "test ! -s /tmp/render.err || { cat /tmp/render.err; exit 1; }",
                // A JDK update fires the /usr/lib/jvm trigger, which makes the archive again.
                "rm $archive",
                "dpkg-trigger --no-await /usr/lib/jvm",
                "dpkg --triggers-only --pending",
                "test -s $archive || { echo 'the /usr/lib/jvm trigger made no archive'; exit 1; }",
                "test -s $virtsup_client_archive || { echo 'the /usr/lib/jvm trigger made no client archive'; exit 1; }",
                "bash -c '. /usr/share/bash-completion/completions/virtsup && complete -p virtsup'",
                "dpkg -r virtsup",
                "test -e /etc/virtsup/config.scm || { echo 'remove deleted the conffile'; exit 1; }",
                "! test -e /var/cache/virtsup || { echo 'remove left /var/cache/virtsup'; exit 1; }",
                "dpkg -P virtsup",
                "! test -e /etc/virtsup || { echo 'purge left /etc/virtsup'; exit 1; }",
                "! test -e /usr/share/virtsup || { echo 'remove left /usr/share/virtsup'; exit 1; }",
                "echo purged");
        try {
            OutsideTool.Outcome outcome = OutsideTool.run(List.of("docker", "run", "--rm", "--name", name,
                    "--network", "none", "-v", deb.toAbsolutePath().getParent() + ":/pkg:ro",
                    base, "sh", "-c", script), Map.of(), 300).expectSuccess();
            assertTrue(outcome.stdout().contains("usage: virtsup COMMAND"), "virtsup --help:\n" + outcome.stdout());
            assertTrue(outcome.stdout().contains("/etc/virtsup/config.scm: OK: supervises virtlogd and libvirtd"),
                    "virtsup check on the packaged configuration:\n" + outcome.stdout() + outcome.stderr());
            assertTrue(outcome.stdout().lines().anyMatch(line -> line.startsWith("complete ") && line.endsWith(" virtsup")),
                    "the bash completion registers for virtsup:\n" + outcome.stdout());
            assertTrue(outcome.stdout().strip().endsWith("purged"), outcome.stdout());
        } finally {
            OutsideTool.run(List.of("docker", "rm", "-f", name), Map.of(), 60);
        }
    }

    private static OutsideTool.Outcome dpkgDeb(String... arguments) {
        List<String> command = Stream.concat(Stream.of("dpkg-deb"), Stream.of(arguments)).toList();
        OutsideTool.Outcome outcome = OutsideTool.run(command, Map.of(), 60);
        if (outcome.exitCode() != 0) {
            fail(String.join(" ", command) + " failed: " + outcome.stderr());
        }
        return outcome;
    }
}

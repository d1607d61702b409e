package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * container/build-image in the shape of a fresh clone (no packaging/target),
 * with stand-ins for the base image script, mvn and docker that record what
 * they were asked: the package is built first, then the image. The real
 * build runs in ContainerImageIT.
 */
class BuildImageTest {
    private static final Path BUILD_IMAGE = Path.of("container", "build-image");

    @TempDir
    Path clone;
    private Path bin;
    private Path calls;

    @BeforeEach
    void freshClone() throws IOException {
        Files.createDirectories(clone.resolve("packaging/container"));
        Files.copy(BUILD_IMAGE, clone.resolve("packaging/container/build-image"));
        Files.writeString(clone.resolve("pom.xml"), "<project/>\n");
        bin = Files.createDirectories(clone.resolve("bin"));
        // PATH is only this directory: the system's tools the script uses, and stand-ins (no real mvn or docker)
        for (String tool : List.of("bash", "dirname", "readlink", "ls", "head", "tail", "find", "mktemp", "cp", "rm",
                "basename", "cut", "mkdir")) {
            Path real = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new AssertionError(tool + " is not in /usr/bin or /bin"));
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        calls = clone.resolve("calls");
        executable(clone.resolve("packaging/container/build-base-image"), "echo virtsup-base:test");
        executable(clone.resolve("packaging/container/Containerfile"), "");
        executable(bin.resolve("docker"), "echo \"docker $*\" >> " + calls
                + "\ncase \"$1 $2\" in \"image inspect\") echo sha256:1;; esac");
    }

    @Test
    void aFreshCloneBuildsThePackageThenTheImage() throws IOException, InterruptedException {
        executable(bin.resolve("mvn"), "echo \"mvn $*\" >> " + calls + "\n/bin/mkdir -p " + clone.resolve("packaging/target")
                + "\n: > " + clone.resolve("packaging/target/virtsup_0.1.0~SNAPSHOT_amd64.deb"));
        Outcome outcome = buildImage();
        assertEquals(0, outcome.code(), outcome::toString);
        assertEquals("virtsup:test", outcome.stdout().strip());
        List<String> made = Files.readAllLines(calls);
        assertTrue(made.get(0).startsWith("mvn -B -q -f " + clone.resolve("pom.xml") + " -DskipTests -pl packaging -am package"),
                made::toString);
        assertTrue(made.stream().anyMatch(c -> c.startsWith("docker build -q") && c.contains("--build-arg BASE=virtsup-base:test")
                && c.contains("--build-arg VERSION=0.1.0~SNAPSHOT") && c.contains("-t virtsup:test")), made::toString);
    }

    @Test
    void withoutMavenItSaysWhatToInstall() throws IOException, InterruptedException {
        Outcome outcome = buildImage();
        assertEquals(1, outcome.code(), outcome::toString);
        assertTrue(outcome.stderr().contains("build-image: building the Debian package needs Maven and a JDK 17"
                + " (apt-get install maven openjdk-17-jdk-headless), or set VIRTSUP_DEB to a built .deb"), outcome::toString);
    }

    @Test
    void aFailingStepIsNamed() throws IOException, InterruptedException {
        executable(bin.resolve("mvn"), "exit 3");
        Outcome outcome = buildImage();
        assertEquals(3, outcome.code(), outcome::toString);
        assertTrue(outcome.stderr().contains("build-image: failed (exit 3) at line "), outcome::toString);
    }

    private record Outcome(int code, String stdout, String stderr) {}

    private Outcome buildImage() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(clone.resolve("packaging/container/build-image").toString(), "virtsup:test");
        builder.environment().remove("VIRTSUP_BASE_IMAGE");
        builder.environment().remove("VIRTSUP_DEB");
        builder.environment().put("PATH", bin.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "build-image did not finish");
        return new Outcome(process.exitValue(), stdout, stderr);
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

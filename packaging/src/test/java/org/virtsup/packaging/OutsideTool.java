package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program outside the JVM the packaging tests run (dpkg-deb, docker,
 * build-image). These tests run in failsafe's JVM, not in the supervisor's,
 * so ProcessBuilder is safe here. A missing tool skips the test, or fails it
 * under VIRTSUP_FULL_TESTS=1, where every tool is expected.
 */
final class OutsideTool {

    /** What a finished program said. */
    record Outcome(List<String> command, int exitCode, String stdout, String stderr) {
        Outcome expectSuccess() {
            if (exitCode != 0) {
                fail(String.join(" ", command) + " exited with " + exitCode
                        + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr);
            }
            return this;
        }
    }

    private OutsideTool() {}

    /** Skips (or fails, under VIRTSUP_FULL_TESTS=1) unless {@code probe} exits 0. */
    static void require(String what, List<String> probe) {
        boolean present;
        try {
            present = run(probe, Map.of(), 60).exitCode() == 0;
        } catch (IllegalStateException e) {
            present = false;
        }
        requireThat(present, what + " (" + String.join(" ", probe) + " failed)");
    }

    /** Skips (or fails, under VIRTSUP_FULL_TESTS=1) unless {@code present}. */
    static void requireThat(boolean present, String what) {
        if (fullTests()) {
            if (!present) {
                fail("VIRTSUP_FULL_TESTS=1 but this test's tool is missing: " + what);
            }
        } else {
            assumeTrue(present, "skipped, missing: " + what);
        }
    }

    /** The local base image's reference (system property virtsup.baseImage), if given. */
    static Optional<String> baseImage() {
        return given(System.getProperty("virtsup.baseImage"))
                .or(() -> given(System.getenv("VIRTSUP_BASE_IMAGE")));
    }

    /**
     * The local base image of a Debian release: bookworm's is {@link #baseImage()},
     * trixie's (build-base-image trixie) is system property virtsup.baseImageTrixie.
     */
    static Optional<String> baseImage(String release) {
        return switch (release) {
            case "bookworm" -> baseImage();
            case "trixie" -> given(System.getProperty("virtsup.baseImageTrixie"))
                    .or(() -> given(System.getenv("VIRTSUP_BASE_IMAGE_TRIXIE")));
            default -> throw new IllegalArgumentException("no base image for Debian " + release);
        };
    }

    /**
     * Runs {@code command} to its end, at most {@code timeoutSeconds} (a guard
     * against a hung program, not a measurement).
     */
    static Outcome run(List<String> command, Map<String, String> environment, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("virtsup-packaging-", ".out");
            Path err = Files.createTempFile("virtsup-packaging-", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                    fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
                }
                return new Outcome(command, process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    /**
     * Runs {@code command}, which prints events one per line and ends by
     * itself (e.g. docker events --until), and returns the first line
     * {@code wanted} accepts, or empty when the command ends without one.
     */
    static Optional<String> firstLine(List<String> command, Predicate<String> wanted) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (wanted.test(line)) {
                    return Optional.of(line);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("reading " + command.get(0) + ": " + e.getMessage(), e);
        } finally {
            process.destroy();
        }
    }

    private static boolean fullTests() {
        return "1".equals(System.getenv("VIRTSUP_FULL_TESTS"))
                || "1".equals(System.getProperty("virtsup.fullTests"));
    }

    /** Maven passes an unset ${env.X} through as empty or as the expression itself. */
    private static Optional<String> given(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? Optional.empty() : Optional.of(value);
    }
}

package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Outside tools and files some tests need: with VIRTSUP_FULL_TESTS=1 a
 * missing one fails the test, otherwise the test is skipped saying what is missing.
 */
final class Tools {
    private Tools() {}

    static boolean fullTests() {
        return "1".equals(System.getenv("VIRTSUP_FULL_TESTS"));
    }

    static void requireFile(Path path, String what) {
        require(Files.isRegularFile(path), what + " is missing: " + path);
    }

    /** The path of an executable on PATH. */
    static Path requireCommand(String name, String what) {
        String pathVariable = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String directory : pathVariable.split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        require(false, name + " (" + what + ") is not on PATH");
        throw new AssertionError("unreachable");
    }

    private static void require(boolean present, String message) {
        if (!present) {
            if (fullTests()) {
                fail(message + " (VIRTSUP_FULL_TESTS=1 requires it)");
            }
            assumeTrue(false, message + "; skipped (set VIRTSUP_FULL_TESTS=1 to make this a failure)");
        }
    }
}

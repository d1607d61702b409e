package org.virtsup.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the build passes to the integration tests as system properties
 * (failsafe's systemPropertyVariables in integration-tests/pom.xml).
 */
public final class TestSettings {
    private TestSettings() {
    }

    /**
     * A system property, absent when unset, blank, or left unexpanded by Maven
     * (an unset {@code ${env.X}} reaches the JVM as the literal text).
     */
    public static Optional<String> property(String name) {
        String value = System.getProperty(name, "").trim();
        if (value.isEmpty() || value.startsWith("${")) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** The local base image, from {@code VIRTSUP_BASE_IMAGE} (set by packaging/dev/test). */
    public static Optional<String> baseImage() {
        return property("virtsup.baseImage").or(() -> Optional.ofNullable(System.getenv("VIRTSUP_BASE_IMAGE"))
                .filter(value -> !value.isBlank()));
    }

    /** supervisor/target/virtsup.jar, when the supervisor module has been packaged. */
    public static Optional<Path> virtsupJar() {
        return property("virtsup.jar").map(Path::of).filter(Files::isRegularFile);
    }

    /** supervisor/target/lib, virtsup's runtime class path. */
    public static Optional<Path> virtsupLib() {
        return property("virtsup.lib").map(Path::of).filter(Files::isDirectory);
    }
}

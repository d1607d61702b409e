package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The .deb this build's package phase wrote, as the integration tests find it. */
final class BuiltDeb {

    private BuiltDeb() {}

    /** The Maven version as jdeb makes it Debian's: 0.1.0-SNAPSHOT becomes 0.1.0~SNAPSHOT. */
    static String debianVersion() {
        return System.getProperty("virtsup.version", "0.1.0-SNAPSHOT").replace("-", "~");
    }

    /** target/virtsup_VERSION_amd64.deb; fails when the package phase did not write it. */
    static Path path() {
        Path target = Path.of(System.getProperty("virtsup.packaging.target", "target"));
        Path deb = target.resolve("virtsup_" + debianVersion() + "_amd64.deb");
        assertTrue(Files.isRegularFile(deb), deb + " is missing: run the package phase first (mvn package)");
        return deb;
    }
}

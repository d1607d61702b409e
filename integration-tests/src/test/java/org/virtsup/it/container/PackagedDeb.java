package org.virtsup.it.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.virtsup.it.FullTests;
import org.virtsup.it.TestSettings;

/**
 * The .deb the packaging module's package phase wrote:
 * packaging/target/virtsup_VERSION_amd64.deb, VERSION being the Maven version
 * made Debian's as jdeb does (0.1.0-SNAPSHOT becomes 0.1.0~SNAPSHOT).
 */
final class PackagedDeb {
    private PackagedDeb() {
    }

    /** The Debian version of this build, e.g. 0.1.0~SNAPSHOT. */
    static String debianVersion() {
        return TestSettings.property("virtsup.version").orElse("0.1.0-SNAPSHOT").replace('-', '~');
    }

    /** The package's path; skips or fails (see {@link FullTests}) when it was not built. */
    static Path require() {
        Optional<Path> deb = TestSettings.property("virtsup.packaging.target").map(Path::of)
                .map(target -> target.resolve("virtsup_" + debianVersion() + "_amd64.deb"))
                .filter(Files::isRegularFile);
        FullTests.require(deb.isPresent(), "the Debian package packaging/target/virtsup_" + debianVersion()
                + "_amd64.deb is missing: build it with mvn -pl packaging -am package (the reactor does, before"
                + " integration-tests)");
        return deb.orElseThrow();
    }
}

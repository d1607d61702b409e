package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered file parses under libvirt's own augeas lens (the list of
 * keys libvirt ships) of the version it is rendered for, and the values
 * augeas reads back are the model's: libvirt 9.0's lenses are the system's
 * (Debian 12), libvirt 11.3's those Debian 13 ships (test resources
 * lenses/libvirt-11.3, loaded ahead of the system's).
 */
class AugeasLensTest {

    static Stream<Arguments> renderedFiles() {
        List<Arguments> cases = new ArrayList<>();
        for (LibvirtVersion version : List.of(LibvirtVersion.DEBIAN_12, LibvirtVersion.DEBIAN_13)) {
            Configuration defaults = ConfigurationLoader.embeddedDefault(Golden.HOST).configuration().orElseThrow();
            cases.add(Arguments.of(version, "defaults", defaults.libvirt().orElseThrow().settings()));
            cases.add(Arguments.of(version, "defaults", defaults.virtlog().orElseThrow().settings()));
            cases.add(Arguments.of(version, "example-libvirt.scm",
                    Golden.configuration("example-libvirt.scm").libvirt().orElseThrow().settings()));
            cases.add(Arguments.of(version, "example-virtlog.scm",
                    Golden.configuration("example-virtlog.scm").virtlog().orElseThrow().settings()));
            for (String file : List.of("nondefault.scm", "extensions.scm")) {
                Configuration configuration = Golden.configuration(file);
                cases.add(Arguments.of(version, file, configuration.libvirt().orElseThrow().settings()));
                cases.add(Arguments.of(version, file, configuration.virtlog().orElseThrow().settings()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "libvirt {0}, {1}: {2}")
    @MethodSource("renderedFiles")
    void parsesUnderLibvirtsLensAndReadsBackTheModel(LibvirtVersion version, String source, Settings settings,
                                                     @TempDir Path directory) throws IOException, InterruptedException {
        assertEquals(List.of(), AugeasLens.problems(List.of(settings), directory, version));
    }
}

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
 * keys libvirt ships), and the values augeas reads back are the model's.
 */
class AugeasLensTest {

    static Stream<Arguments> renderedFiles() {
        List<Arguments> cases = new ArrayList<>();
        Configuration defaults = ConfigurationLoader.embeddedDefault(Golden.HOST).configuration().orElseThrow();
        cases.add(Arguments.of("defaults", defaults.libvirt().orElseThrow().settings()));
        cases.add(Arguments.of("defaults", defaults.virtlog().orElseThrow().settings()));
        cases.add(Arguments.of("example-libvirt.scm", Golden.configuration("example-libvirt.scm").libvirt().orElseThrow().settings()));
        cases.add(Arguments.of("example-virtlog.scm", Golden.configuration("example-virtlog.scm").virtlog().orElseThrow().settings()));
        Configuration nondefault = Golden.configuration("nondefault.scm");
        cases.add(Arguments.of("nondefault.scm", nondefault.libvirt().orElseThrow().settings()));
        cases.add(Arguments.of("nondefault.scm", nondefault.virtlog().orElseThrow().settings()));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("renderedFiles")
    void parsesUnderLibvirtsLensAndReadsBackTheModel(String source, Settings settings, @TempDir Path directory)
            throws IOException, InterruptedException {
        assertEquals(List.of(), AugeasLens.problems(List.of(settings), directory));
    }
}

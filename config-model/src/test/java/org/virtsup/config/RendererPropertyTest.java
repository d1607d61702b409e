package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every valid generated configuration renders to files that libvirt's own
 * augeas lenses parse and that read back to the configuration's values. Each
 * try checks a batch of configurations in one augtool run.
 */
class RendererPropertyTest {
    private static final int BATCH = 40;
    private static final FuzzCount FILES = new FuzzCount("renderer under libvirt's augeas lenses (files)");

    @Property(tries = 10)
    void validConfigurationsRenderToFilesTheLensReadsBack(@ForAll("batches") List<GeneratedConfigurations.Generated> batch)
            throws IOException, InterruptedException {
        List<Settings> rendered = new ArrayList<>();
        for (GeneratedConfigurations.Generated generated : batch) {
            ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("gen.scm", generated.text(), GeneratedConfigurations.HOST);
            loaded.configuration().ifPresent(c -> {
                ValidatorPropertyTest.sameValues(generated, c);
                c.libvirt().ifPresent(l -> rendered.add(l.settings()));
                c.virtlog().ifPresent(v -> rendered.add(v.settings()));
            });
        }
        Path directory = Files.createTempDirectory("virtsup-render-property");
        try {
            List<String> problems = AugeasLens.problems(rendered, directory);
            for (int i = 0; i < rendered.size(); i++) {
                int index = i;
                FILES.check(() -> assertEquals(List.of(), problems.stream()
                        .filter(p -> p.startsWith("file " + directory.resolve(index + "-"))).toList()));
            }
            assertEquals(List.of(), problems);
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @AfterContainer
    static void printCounts() {
        FILES.print();
    }

    @Provide
    Arbitrary<List<GeneratedConfigurations.Generated>> batches() {
        return GeneratedConfigurations.valid().list().ofSize(BATCH);
    }
}

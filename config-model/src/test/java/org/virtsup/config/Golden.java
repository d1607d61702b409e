package org.virtsup.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The golden files under src/test/resources/golden: expected output written by hand from RENDERING.md. */
final class Golden {
    static final String HOST = "testhost";

    private Golden() {}

    static String text(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads a golden .scm, failing with its diagnostics if it has errors. */
    static Configuration configuration(String name) {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load(name, text(name), HOST);
        return loaded.configuration().orElseThrow(() -> new AssertionError(name + " has errors: " + loaded.diagnostics()));
    }
}

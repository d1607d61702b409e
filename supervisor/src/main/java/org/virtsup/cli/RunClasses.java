package org.virtsup.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The classes {@code virtsup run} loads beyond the JDK's own archive, as
 * listed in {@code run-classes.txt} beside this class. {@link ClientTraining}
 * loads them so that the class-data archive it makes serves {@code run} as
 * well as the client: {@code run} then neither reads nor verifies them from
 * the jars at each start.
 */
final class RunClasses {
    static final String LIST = "run-classes.txt";

    private RunClasses() {}

    /** The names listed, comments and blank lines left out. */
    static List<String> names() {
        try (InputStream in = RunClasses.class.getResourceAsStream(LIST)) {
            if (in == null) {
                return List.of();
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads every listed class that this JDK and these jars have, without
     * initialising it (nothing of {@code run} starts); returns how many.
     */
    static int load(ClassLoader loader) {
        int loaded = 0;
        for (String name : names()) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // Another JDK release, or a class renamed since the list was made: it is only not archived.
            }
        }
        return loaded;
    }
}

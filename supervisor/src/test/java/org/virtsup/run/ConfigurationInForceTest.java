package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;

class ConfigurationInForceTest {
    @TempDir
    Path directory;

    private ConfigurationInForce loaded(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Configuration configuration = ConfigurationLoader.load(file.toString(), text, "testhost").configuration()
                .orElseThrow();
        return new ConfigurationInForce(configuration);
    }

    @Test
    void statusRequestsDoNotReadTheFileWhileItIsUntouched() throws IOException {
        ConfigurationInForce inForce = loaded(directory.resolve("virtsup.scm"), SupervisorTest.BOTH);
        int atLoad = inForce.hashes();
        for (int i = 0; i < 1000; i++) {
            assertTrue(inForce.matchesFile());
        }
        assertEquals(atLoad, inForce.hashes(), "the file was hashed on status requests");
    }

    @Test
    void aChangedFileIsSeenAndRehashedOnceAndAnUndoneChangeMatchesAgain() throws IOException {
        Path file = directory.resolve("virtsup.scm");
        ConfigurationInForce inForce = loaded(file, SupervisorTest.BOTH);
        FileTime loadedAt = Files.getLastModifiedTime(file);
        Files.writeString(file, SupervisorTest.BOTH + ";; a comment\n");
        assertFalse(inForce.matchesFile());
        int after = inForce.hashes();
        assertFalse(inForce.matchesFile());
        assertEquals(after, inForce.hashes(), "hashed again though nothing changed since");
        Files.writeString(file, SupervisorTest.BOTH);
        Files.setLastModifiedTime(file, FileTime.fromMillis(loadedAt.toMillis() + 5000));
        assertTrue(inForce.matchesFile(), "same bytes, other time: still the configuration in force");
        Files.delete(file);
        assertFalse(inForce.matchesFile(), "a vanished file holds nothing");
    }

    @Test
    void aRefusedReloadIsShownUntilAReloadSucceeds() throws IOException {
        Path file = directory.resolve("virtsup.scm");
        ConfigurationInForce inForce = loaded(file, SupervisorTest.BOTH);
        inForce.refused(List.of("virtsup.scm:1:1: error: unterminated list"));
        assertEquals(List.of("virtsup.scm:1:1: error: unterminated list"), inForce.reloadProblems());
        inForce.replace(inForce.get());
        assertEquals(List.of(), inForce.reloadProblems());
    }
}

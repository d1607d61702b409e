package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfiguredSocketTest {
    @TempDir Path dir;

    @Test
    void theDefaultSocketWinsWhenSomethingIsThere() throws IOException {
        Path standard = Files.createFile(dir.resolve("control.sock"));
        Path config = dir.resolve("config.scm");
        Files.writeString(config, "(supervisor-configuration (control-socket \"/run/elsewhere.sock\"))\n");
        assertEquals(standard, ConfiguredSocket.resolve(standard, config));
    }

    @Test
    void otherwiseTheConfigurationsControlSocket() throws IOException {
        Path config = dir.resolve("config.scm");
        Files.writeString(config, "(service virtlog-service-type)\n"
                + "(supervisor-configuration (control-socket \"/run/elsewhere.sock\"))\n");
        assertEquals(Path.of("/run/elsewhere.sock"), ConfiguredSocket.resolve(dir.resolve("control.sock"), config));
    }

    @Test
    void theDefaultAgainWhenTheFileIsMissingOrInvalid() throws IOException {
        Path standard = dir.resolve("control.sock");
        assertEquals(standard, ConfiguredSocket.resolve(standard, dir.resolve("missing.scm")));
        Path invalid = dir.resolve("invalid.scm");
        Files.writeString(invalid, "(supervisor-configuration (control-socket 12))\n");
        assertEquals(Optional.empty(), ConfiguredSocket.named(invalid));
        assertEquals(standard, ConfiguredSocket.resolve(standard, invalid));
    }
}

package org.virtsup.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.read.ConfigurationBytes;

/**
 * Where the control commands find virtsup when they are not told: its default
 * socket, or, when nothing is there, the {@code control-socket} that the
 * configuration file names. The file is read only in that second case, so a
 * health probe of a default set-up reads no file.
 */
final class ConfiguredSocket {
    private ConfiguredSocket() {}

    static Path resolve(Path standard, Path configurationFile) {
        if (Files.exists(standard)) {
            return standard;
        }
        return named(configurationFile).orElse(standard);
    }

    /** The control-socket a valid configuration file names, if it can be read. */
    static Optional<Path> named(Path configurationFile) {
        byte[] bytes;
        try {
            bytes = ConfigurationBytes.read(configurationFile);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        // The host name only shapes mdns-name's default, which does not matter here.
        return ConfigurationLoader.load(configurationFile.toString(), bytes, "").configuration()
                .map(configuration -> Path.of(configuration.supervisor().controlSocket()));
    }
}

package org.virtsup.run;

import org.virtsup.config.ConfigurationLoader;

/** Reads the configuration again, with the host checks: what a reload starts from. */
@FunctionalInterface
public interface ConfigurationReader {
    ConfigurationLoader.Loaded read();
}

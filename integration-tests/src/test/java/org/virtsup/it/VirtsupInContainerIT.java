package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.VirtlogdConf;

/** virtsup's jars, as built, run inside the container with the container's own Java. */
class VirtsupInContainerIT {

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    @Test
    void theCliRunsFromTheCopiedJars() {
        ExecResult rendered = host.virtsup("render", "virtlogd").orFail();
        String expected = VirtlogdConf.render(ConfigurationLoader.embeddedDefault("any-host")
                .configuration().orElseThrow().virtlog().orElseThrow());
        assertEquals(expected, rendered.stdout());
    }
}

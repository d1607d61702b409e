package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DockerEngineTest {

    @Test
    void comparesApiVersionsNumerically() {
        assertTrue(DockerEngine.compare("1.41", "1.44") < 0);
        assertTrue(DockerEngine.compare("1.9", "1.44") < 0, "1.9 is older than 1.44, not newer as text");
        assertTrue(DockerEngine.compare("1.52", "1.44") > 0);
        assertTrue(DockerEngine.compare("1.44", "1.44") == 0);
        assertTrue(DockerEngine.compare("1.44.0", "1.44") == 0);
    }
}

package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtsup run binds libc by reflection, unless the JVM was told otherwise. */
class RunningTest {
    private final String before = System.getProperty(Running.JNR_ASM);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Running.JNR_ASM);
        } else {
            System.setProperty(Running.JNR_ASM, before);
        }
    }

    @Test
    void byDefaultJnrGeneratesNoCode() {
        System.clearProperty(Running.JNR_ASM);
        Running.bindByReflection();
        assertEquals("false", System.getProperty(Running.JNR_ASM));
    }

    @Test
    void anExplicitChoiceIsKept() {
        System.setProperty(Running.JNR_ASM, "true");
        Running.bindByReflection();
        assertEquals("true", System.getProperty(Running.JNR_ASM));
    }
}

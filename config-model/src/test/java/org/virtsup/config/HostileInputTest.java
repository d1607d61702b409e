package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtsup.config.read.ReadLimits;

/** Whole files built to hurt: each gives positioned errors of bounded number and length. */
class HostileInputTest {

    private static ConfigurationLoader.Loaded load(String text) {
        return ConfigurationLoader.load("c.scm", text, "h");
    }

    @Test
    void aFileNestedThreeThousandDeepIsOnePositionedError() {
        ConfigurationLoader.Loaded loaded = load("(service libvirt-service-type " + "(".repeat(3000) + ")".repeat(3001));
        assertEquals(1, loaded.errors().size());
        assertTrue(loaded.errors().get(0).format().startsWith("c.scm:1:"
                + (31 + ReadLimits.MAX_DEPTH - 1) + ": error: data nested more than 256 levels deep"), loaded.errors().toString());
    }

    @Test
    void thousandsOfWrongDataGiveTheFirstHundredProblemsAndACount() {
        String text = "(service virtlog-service-type)(service libvirt-service-type (libvirt-configuration "
                + "(nope 1)\n".repeat(5000) + "))";
        ConfigurationLoader.Loaded loaded = load(text);
        assertEquals(ConfigurationLoader.MAX_DIAGNOSTICS + 1, loaded.diagnostics().size());
        Diagnostic last = loaded.diagnostics().get(ConfigurationLoader.MAX_DIAGNOSTICS);
        assertEquals("c.scm:101:2: error: 4900 more problems from here on are not shown (virtsup shows the first 100);"
                + " fix the ones above and check again", last.format());
    }

    @Test
    void aHugeNameOrValueIsShortenedInItsMessageKeepingTheFix() {
        String name = "x".repeat(500_000);
        long started = System.nanoTime();
        ConfigurationLoader.Loaded loaded = load("(service " + name + ")");
        long millis = (System.nanoTime() - started) / 1_000_000;
        String message = loaded.errors().get(0).message();
        assertTrue(message.length() <= Diagnostic.MAX_MESSAGE_CHARS + 60, () -> "message of " + message.length());
        assertTrue(message.startsWith("unknown service type 'xxx"), message);
        assertTrue(message.endsWith("virtsup supervises libvirt-service-type and virtlog-service-type"), message);
        assertTrue(message.contains(" characters left out ...] "), message);
        System.out.println("virtsup-benchmark: load of a 500,000-character service type name: " + millis + " ms");
    }

    @Test
    void bytesThatAreNotUtf8AreAPositionedError() {
        byte[] bytes = "(service virtlog-service-type)\n(service \u00e9".getBytes(StandardCharsets.ISO_8859_1);
        List<Diagnostic> diagnostics = ConfigurationLoader.load("c.scm", bytes, "h").diagnostics();
        assertEquals(1, diagnostics.size());
        assertTrue(diagnostics.get(0).format().startsWith("c.scm:2:10: error: the file is not UTF-8 text"), diagnostics.toString());
    }

    @Test
    void aTextOverTheSizeLimitIsRefusedBeforeReading() {
        List<Diagnostic> diagnostics = load("(" + " ".repeat(ReadLimits.MAX_FILE_BYTES) + ")").diagnostics();
        assertEquals(1, diagnostics.size());
        assertTrue(diagnostics.get(0).format().startsWith("c.scm:1:1: error: the file is larger than 1048576 bytes"));
    }
}

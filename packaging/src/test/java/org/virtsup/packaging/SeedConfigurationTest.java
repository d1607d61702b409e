package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Field;
import org.virtsup.config.Section;
import org.virtsup.config.Settings;

/**
 * The Debian package's /etc/virtsup/config.scm is written by hand, for people:
 * grouped, with a line of explanation here and there. These tests keep it from
 * drifting away from the field catalog, which is what virtsup really applies:
 * every field of every form is there, commented out, with the catalog's
 * default; as shipped the file means exactly the embedded default; and with
 * every line uncommented it still does (so the values shown are right).
 */
class SeedConfigurationTest {

    private static final Path SEED = Path.of("debian", "config.scm");
    private static final String HOST = "node-7.example.org";

    /** {@code ;; (field-name VALUE)}, optionally followed by a {@code ; remark}. */
    private static final Pattern FIELD_LINE =
            Pattern.compile("^(\\s*);+\\s*(\\(([a-z][a-z0-9?-]*)\\s+(.+?)\\))\\s*(?:;.*)?$");

    private record FieldLine(Section section, String name, String value, int line) {}

    @Test
    void listsEveryFieldOfEveryFormOnceWithTheCatalogsDefault() throws IOException {
        Map<Section, Map<String, String>> seeded = new EnumMap<>(Section.class);
        for (FieldLine line : fieldLines(Files.readAllLines(SEED))) {
            // The one host-dependent default (mdns-name) is shown with a placeholder.
            String value = line.value().replace("<hostname>", HOST);
            String previous = seeded.computeIfAbsent(line.section(), s -> new TreeMap<>()).put(line.name(), value);
            if (previous != null) {
                fail(SEED + ":" + line.line() + ": " + line.name() + " is listed twice in " + line.section().formName());
            }
        }
        for (Section section : Section.values()) {
            Map<String, String> catalog = new TreeMap<>();
            for (Field field : section.fields()) {
                catalog.put(field.name(), field.type().write(field.defaultValue().value(HOST)));
            }
            assertEquals(catalog, seeded.getOrDefault(section, Map.of()),
                    SEED + ": the commented fields of " + section.formName() + " against the field catalog");
        }
    }

    @Test
    void asShippedMeansTheEmbeddedDefault() throws IOException {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load(SEED.toString(), Files.readString(SEED), HOST);
        assertEquals(List.of(), loaded.diagnostics(), "the shipped file loads without a word");
        assertSameAsEmbeddedDefault(loaded.configuration().orElseThrow());
    }

    @Test
    void withEveryFieldUncommentedStillMeansTheEmbeddedDefault() throws IOException {
        List<String> lines = Files.readAllLines(SEED);
        List<String> uncommented = new ArrayList<>();
        int fields = 0;
        for (String line : lines) {
            Matcher matcher = FIELD_LINE.matcher(line);
            if (matcher.matches()) {
                fields++;
                // The one host-dependent default is shown with a placeholder.
                uncommented.add(matcher.group(1) + matcher.group(2).replace("<hostname>", HOST));
            } else {
                uncommented.add(line);
            }
        }
        assertTrue(fields > 0, "no commented field found in " + SEED);
        String text = String.join("\n", uncommented) + "\n";
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("uncommented " + SEED, text, HOST);
        // Warnings are fine: (listen-tls? #t) written out is rightly reported as
        // having no effect without listen?, default or not.
        assertEquals(List.of(), loaded.errors(), "every value shown is accepted");
        assertSameAsEmbeddedDefault(loaded.configuration().orElseThrow());
    }

    private static void assertSameAsEmbeddedDefault(Configuration configuration) {
        Configuration embedded = ConfigurationLoader.embeddedDefault(HOST).configuration().orElseThrow();
        assertEquals(settings(embedded.libvirt().map(l -> l.settings())), settings(configuration.libvirt().map(l -> l.settings())),
                "libvirt-service-type");
        assertEquals(settings(embedded.virtlog().map(v -> v.settings())), settings(configuration.virtlog().map(v -> v.settings())),
                "virtlog-service-type");
        assertEquals(embedded.supervisor().settings(), configuration.supervisor().settings(), "supervisor-configuration");
    }

    private static Settings settings(Optional<Settings> declared) {
        return declared.orElseGet(() -> fail("the service is not declared, so its daemon would not be supervised"));
    }

    /** The commented field lines, each in the form opened last by an uncommented line. */
    private static List<FieldLine> fieldLines(List<String> lines) {
        List<FieldLine> found = new ArrayList<>();
        Section current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String code = line.contains(";") ? line.substring(0, line.indexOf(';')) : line;
            for (Section section : Section.values()) {
                if (code.contains("(" + section.formName())) {
                    current = section;
                }
            }
            Matcher matcher = FIELD_LINE.matcher(line);
            if (matcher.matches()) {
                if (current == null) {
                    fail(SEED + ":" + (i + 1) + ": a field outside of any form: " + line.strip());
                }
                found.add(new FieldLine(current, matcher.group(3), matcher.group(4), i + 1));
            }
        }
        return found;
    }
}

package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FieldCatalogTest {

    @Test
    void fieldCounts() {
        // Guix's fields (52 and 6), then virtsup's extensions (tcp-min-ssf; admin-max-clients, max-age-days, log-root).
        assertEquals(53, Section.LIBVIRT.fields().size());
        assertEquals(9, Section.VIRTLOG.fields().size());
        assertEquals(12, Section.SUPERVISOR.fields().size());
        assertEquals(74, FieldCatalog.all().size());
    }

    @Test
    void namesAndKeysAreUniqueWithinAForm() {
        for (Section section : Section.values()) {
            Set<String> names = new HashSet<>();
            Set<String> keys = new HashSet<>();
            for (Field field : section.fields()) {
                assertTrue(names.add(field.name()), field.name());
                if (field.rendering() instanceof Rendering.Key key) {
                    assertTrue(keys.add(key.key()), key.key());
                } else if (field.rendering() instanceof Rendering.Extension extension) {
                    assertTrue(keys.add(extension.key()), extension.key());
                }
            }
        }
    }

    @Test
    void threeKeysAreRenamedAndThreeFieldsAreNotReadByLibvirt() {
        assertEquals(new Rendering.Key("tls_no_sanity_certificate"), Section.LIBVIRT.field("tls-no-sanity-cert").orElseThrow().rendering());
        assertEquals(new Rendering.Key("tls_no_verify_certificate"), Section.LIBVIRT.field("tls-no-verify-cert").orElseThrow().rendering());
        assertEquals(new Rendering.Key("sasl_allowed_username_list"),
                Section.LIBVIRT.field("sasl-allowed-usernames").orElseThrow().rendering());
        List<String> ignored = Section.LIBVIRT.fields().stream()
                .filter(f -> f.rendering() instanceof Rendering.IgnoredByLibvirt).map(Field::name).toList();
        assertEquals(List.of("mdns-adv?", "mdns-name", "max-requests"), ignored);
        assertTrue(Section.LIBVIRT.field("libvirt").orElseThrow().rendering() instanceof Rendering.NotWritten);
        assertTrue(Section.SUPERVISOR.fields().stream().noneMatch(Field::writtenToFile));
    }

    @Test
    void otherKeysFollowGuixNaming() {
        for (Section section : List.of(Section.LIBVIRT, Section.VIRTLOG)) {
            for (Field field : section.fields()) {
                if (field.rendering() instanceof Rendering.Key key && !field.name().endsWith("-cert")
                        && !field.name().equals("sasl-allowed-usernames")) {
                    assertEquals(Field.guixKey(field.name()), key.key());
                }
            }
        }
    }

    /** Every key we write is one libvirt's own augeas lens knows (the lens is libvirt's list of keys). */
    @Test
    void everyWrittenKeyIsInLibvirtsLens() throws IOException {
        assertKeysInLens(Section.LIBVIRT, Path.of("/usr/share/augeas/lenses/libvirtd.aug"));
        assertKeysInLens(Section.VIRTLOG, Path.of("/usr/share/augeas/lenses/virtlogd.aug"));
    }

    private static void assertKeysInLens(Section section, Path lens) throws IOException {
        Tools.requireFile(lens, "libvirt's augeas lens (Debian package libvirt-daemon)");
        Set<String> lensKeys = new HashSet<>();
        Matcher m = Pattern.compile("_entry \"([a-z_]+)\"").matcher(Files.readString(lens));
        while (m.find()) {
            lensKeys.add(m.group(1));
        }
        for (Field field : section.fields()) {
            if (field.rendering() instanceof Rendering.Key key) {
                assertTrue(lensKeys.contains(key.key()), key.key() + " is not in " + lens);
            }
            if (field.rendering() instanceof Rendering.IgnoredByLibvirt ignored) {
                assertFalse(lensKeys.contains(ignored.key()), ignored.key() + " is in " + lens + " after all");
            }
        }
    }

    @Test
    void everyFieldIsDocumented() {
        for (Field field : FieldCatalog.all()) {
            assertFalse(field.documentation().isBlank(), field.name());
            assertFalse(field.defaultValue().description().isBlank(), field.name());
        }
    }

    @Test
    void defaultsPassTheirOwnRules() {
        for (Field field : FieldCatalog.all()) {
            assertEquals(java.util.Optional.empty(), field.rule().problem(field.defaultValue().value("h")), field.name());
        }
    }

    @Test
    void suggestionsOnlyWhenClose() {
        List<String> names = Section.LIBVIRT.fields().stream().map(Field::name).toList();
        assertEquals("unix-sock-group", NameSuggestion.closest("unix-sock-grp", names).orElseThrow());
        assertEquals("listen-tls?", NameSuggestion.closest("listen-tls", names).orElseThrow());
        assertEquals("max-clients", NameSuggestion.closest("max-cleints", names).orElseThrow());
        assertTrue(NameSuggestion.closest("colour", names).isEmpty());
        assertTrue(NameSuggestion.closest("unix-sock-group", names).isEmpty(), "no suggestion for an exact name");
    }
}

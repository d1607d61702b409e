package org.virtsup.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Configuration files generated from the field catalog: every form, any
 * subset of its fields, values of every type. {@link #valid()} keeps to what
 * each field's own rule accepts; {@link #any()} also writes wrong types,
 * refused values and strings libvirt's syntax cannot hold.
 */
final class GeneratedConfigurations {
    static final String HOST = "fuzzhost";

    private GeneratedConfigurations() {}

    /** One field as written: its datum's text and, when that datum has the field's type, the value it means. */
    record Entry(Field field, String written, Optional<Object> value) {}

    /** The file, and on which line each field and each form stands. */
    record Generated(String text, Map<Section, List<Entry>> forms, Map<Integer, String> lines) {
        /** The values that are meant, by section and field name. */
        Map<String, Object> values(Section section) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Entry entry : forms.getOrDefault(section, List.of())) {
                entry.value().ifPresent(v -> values.put(entry.field().name(), v));
            }
            return values;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    static Arbitrary<Generated> valid() {
        return configurations(true);
    }

    static Arbitrary<Generated> any() {
        return configurations(false);
    }

    private static Arbitrary<Generated> configurations(boolean valid) {
        List<Arbitrary<Optional<List<Entry>>>> forms = new ArrayList<>();
        for (Section section : Section.values()) {
            Arbitrary<List<Entry>> entries = Arbitraries.subsetOf(section.fields())
                    .flatMap(fields -> entries(fields, valid));
            forms.add(entries.optional(0.8));
        }
        return Combinators.combine(forms).as(GeneratedConfigurations::write);
    }

    private static Arbitrary<List<Entry>> entries(Set<Field> fields, boolean valid) {
        List<Arbitrary<Entry>> entries = new ArrayList<>();
        for (Field field : fields) {
            entries.add(valid ? validEntry(field) : Arbitraries.oneOf(validEntry(field), wrongEntry(field)));
        }
        // catalog order, so that failures read like the specification
        return Combinators.combine(entries).as(list -> list.stream()
                .sorted(java.util.Comparator.comparingInt(e -> e.field().section().fields().indexOf(e.field()))).toList());
    }

    private static Arbitrary<Entry> validEntry(Field field) {
        Object fallback = field.defaultValue().value(HOST);
        return value(field.type()).map(v -> field.rule().problem(v).isEmpty() && (!field.writtenToFile() || writable(v)) ? v : fallback)
                .map(v -> new Entry(field, field.type().write(v), Optional.of(v)));
    }

    /** A datum of the wrong type, or of the right type that its rule or libvirt's syntax refuses. */
    private static Arbitrary<Entry> wrongEntry(Field field) {
        Arbitrary<String> wrong = Arbitraries.of("#t", "0", "-1", "99999999999999999999", "\"\"", "\"a\\\"b\"",
                "\"line\\nbreak\"", "\"nul\\x0;\"", "\"\\t\"", "'()", "'(\"a\" 1)", "(list \"a\")", "(list)", "()", "x", "1.5",
                "'x", "`(\"a\")", "(f x)", "\"yes\"", "\"12\"", "#false", "4294967296", "-9223372036854775808");
        Arbitrary<Entry> typed = value(field.type()).map(v -> new Entry(field, field.type().write(v), Optional.of(v)));
        return Arbitraries.oneOf(wrong.map(w -> new Entry(field, w, Optional.empty())), typed);
    }

    /** What libvirt's syntax and its lens can hold in a string. */
    private static boolean writable(Object value) {
        List<?> strings = value instanceof List<?> list ? list : value instanceof String ? List.of(value) : List.of();
        return strings.stream().map(String.class::cast).noneMatch(s -> s.contains("\"") || s.contains("\n") || s.contains("\r")
                || s.contains("\\") || s.contains("\0"));
    }

    private static Arbitrary<Object> value(FieldType type) {
        return switch (type) {
            case BOOLEAN -> Arbitraries.of(true, false).map(Object.class::cast);
            case INTEGER -> Arbitraries.oneOf(Arbitraries.longs().between(0, 100_000),
                    Arbitraries.of(0L, 1L, -1L, 65_535L, 4_294_967_295L, 4_294_967_296L, Long.MAX_VALUE, Long.MIN_VALUE),
                    Arbitraries.longs()).map(Object.class::cast);
            case STRING, OPTIONAL_STRING, PACKAGE -> text().map(Object.class::cast);
            case MAYBE_STRING -> Arbitraries.oneOf(text().map(Object.class::cast), Arbitraries.just(false).map(Object.class::cast));
            case OPTIONAL_LIST -> text().list().ofMaxSize(4).map(Object.class::cast);
        };
    }

    /** Short strings: printable ASCII (quotes and backslashes too), some accents, a tab, a character beyond the BMP, paths. */
    static Arbitrary<String> text() {
        Arbitrary<String> chars = Arbitraries.strings().withCharRange(' ', '~').withChars('\u00e9', '\u20ac', '\t', '\u00df')
                .ofMaxLength(16);
        Arbitrary<String> realistic = Arbitraries.of("/usr", "/etc/pki/libvirt/private/serverkey.pem", "libvirt", "0770",
                "3:remote 4:event", "1:file:/var/log/libvirt/libvirtd.log", "polkit", "sasl", "none", "16514",
                "8e5e5b9a-3c3b-4e7c-9b0d-6a6f0f1b2c3d", "C=GB,O=Example,CN=*", "\uD83D\uDE00", "");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, chars), net.jqwik.api.Tuple.of(2, realistic));
    }

    private static Generated write(List<Optional<List<Entry>>> declared) {
        StringBuilder text = new StringBuilder(";; generated\n");
        Map<Integer, String> lines = new LinkedHashMap<>();
        Map<Section, List<Entry>> forms = new LinkedHashMap<>();
        int line = 2;
        Section[] sections = Section.values();
        for (int i = 0; i < sections.length; i++) {
            if (declared.get(i).isEmpty()) {
                continue;
            }
            Section section = sections[i];
            List<Entry> entries = declared.get(i).get();
            forms.put(section, entries);
            lines.put(line, "form " + section.formName());
            text.append(section.serviceType().map(t -> "(service " + t + "\n (").orElse("(")).append(section.formName());
            if (section.serviceType().isPresent()) {
                line++;
                lines.put(line, "form " + section.formName());
            }
            for (Entry entry : entries) {
                line++;
                lines.put(line, entry.field().name());
                text.append("\n  (").append(entry.field().name()).append(' ').append(entry.written()).append(')');
            }
            text.append(section.serviceType().isPresent() ? "))\n" : ")\n");
            line++;
        }
        return new Generated(text.toString(), forms, lines);
    }
}

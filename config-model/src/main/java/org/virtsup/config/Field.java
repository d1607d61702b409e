package org.virtsup.config;

import java.util.Objects;

/**
 * One field of one form, as the catalog ({@link FieldCatalog}) describes it:
 * everything reading, validation, rendering and {@code explain} need.
 */
public record Field(Section section, String name, FieldType type, DefaultValue defaultValue,
                    String documentation, Rendering rendering, ValueRule rule) {

    public Field {
        Objects.requireNonNull(section);
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultValue);
        Objects.requireNonNull(documentation);
        Objects.requireNonNull(rendering);
        Objects.requireNonNull(rule);
    }

    /** Guix's key for a field: {@code ?} removed, {@code -} becomes {@code _}. */
    public static String guixKey(String name) {
        return name.replace("?", "").replace('-', '_');
    }

    Field withRule(ValueRule newRule) {
        return new Field(section, name, type, defaultValue, documentation, rendering, newRule);
    }

    Field renderedAs(Rendering newRendering) {
        return new Field(section, name, type, defaultValue, documentation, newRendering, rule);
    }

    /** Whether the value ends up in a daemon's file (as a setting or a comment). */
    public boolean writtenToFile() {
        return !(rendering instanceof Rendering.NotWritten);
    }
}

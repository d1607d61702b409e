package org.virtsup.config;

import java.util.List;

/** The types of the specification, with the Java type a value of each has in the model. */
public enum FieldType {
    BOOLEAN("boolean", "#t or #f"),
    INTEGER("integer", "an integer"),
    STRING("string", "a string in double quotes"),
    OPTIONAL_STRING("optional-string", "a string in double quotes (\"\" for none)"),
    /** A string, or #f for none (the value is then {@code Boolean.FALSE}). */
    MAYBE_STRING("maybe-string", "a string in double quotes, or #f for none"),
    OPTIONAL_LIST("optional-list", "a list of strings: '() or '(\"a\" \"b\") or (list \"a\" \"b\")"),
    /** Guix's package object; here an installation prefix such as "/usr" holding sbin/libvirtd. */
    PACKAGE("package", "an installation prefix in double quotes, such as \"/usr\"");

    private final String guixName;
    private final String allowed;

    FieldType(String guixName, String allowed) {
        this.guixName = guixName;
        this.allowed = allowed;
    }

    /** The type's name as the specification prints it. */
    public String guixName() {
        return guixName;
    }

    /** What a value of this type looks like in the file, for messages. */
    public String allowed() {
        return allowed;
    }

    /** A value as the configuration file would write it. */
    public String write(Object value) {
        return switch (this) {
            case BOOLEAN -> (Boolean) value ? "#t" : "#f";
            case INTEGER -> value.toString();
            case STRING, OPTIONAL_STRING, PACKAGE -> org.virtsup.config.read.Datum.quoted((String) value);
            case MAYBE_STRING -> value instanceof String s ? org.virtsup.config.read.Datum.quoted(s) : "#f";
            case OPTIONAL_LIST -> {
                List<?> items = (List<?>) value;
                StringBuilder out = new StringBuilder("'(");
                for (int i = 0; i < items.size(); i++) {
                    out.append(i == 0 ? "" : " ").append(org.virtsup.config.read.Datum.quoted((String) items.get(i)));
                }
                yield out.append(')').toString();
            }
        };
    }
}

package org.virtsup.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes fields in libvirt's configuration syntax (virconf.c): booleans as
 * 1/0, integers in decimal, strings in double quotes as they are (validation
 * has refused those holding a double quote or a line break), lists as
 * ["a","b"]. An empty optional value, a setting libvirt no longer reads and
 * an extension the running libvirt does not read yet become comment lines,
 * which libvirt and its augeas lens skip.
 */
final class ConfLines {
    private ConfLines() {}

    /** The file for libvirt {@code version}: which keys it reads, what the comments say. */
    static String render(Section section, Settings settings, LibvirtVersion version) {
        StringBuilder out = new StringBuilder();
        for (Field field : section.fields()) {
            Object value = settings.get(field.name());
            if (field.rendering() instanceof Rendering.Key key) {
                out.append(line(key.key(), field.type(), value)).append('\n');
            } else if (field.rendering() instanceof Rendering.IgnoredByLibvirt ignored) {
                out.append("# ").append(ignored.key()).append(" = ").append(value(field.type(), value))
                        .append(' ').append(Rendering.IgnoredByLibvirt.note(version)).append('\n');
            } else if (field.rendering() instanceof Rendering.Extension extension && settings.isWritten(field.name())) {
                if (version.atLeast(extension.readFrom())) {
                    out.append(line(extension.key(), field.type(), value)).append('\n');
                } else {
                    out.append("# ").append(extension.key()).append(" = ").append(value(field.type(), value))
                            .append(' ').append(extension.note(version)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String line(String key, FieldType type, Object value) {
        boolean empty = (type == FieldType.OPTIONAL_LIST && ((List<?>) value).isEmpty())
                || (type == FieldType.OPTIONAL_STRING && ((String) value).isEmpty());
        return (empty ? "# " : "") + key + " = " + value(type, value);
    }

    private static String value(FieldType type, Object value) {
        return switch (type) {
            case BOOLEAN -> (Boolean) value ? "1" : "0";
            case INTEGER -> value.toString();
            case STRING, OPTIONAL_STRING, PACKAGE -> "\"" + value + "\"";
            case MAYBE_STRING -> throw new IllegalArgumentException("a maybe-string is read by virtsup, never written for libvirt");
            case OPTIONAL_LIST -> ((List<?>) value).stream().map(v -> "\"" + v + "\"")
                    .collect(Collectors.joining(",", "[", "]"));
        };
    }
}

package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The values of one form, every field present (defaults filled in), with
 * where each written value was. Values are Boolean, Long, String or
 * List&lt;String&gt; according to the field's type.
 */
public final class Settings {
    private final Section section;
    private final Position formPosition;
    private final Map<String, Object> values;
    private final Map<String, Position> written;

    Settings(Section section, Position formPosition, Map<String, Object> values, Map<String, Position> written) {
        this.section = section;
        this.formPosition = formPosition;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.written = Collections.unmodifiableMap(new LinkedHashMap<>(written));
    }

    /** Every field at its default. */
    static Settings defaults(Section section, Position formPosition, String hostName) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field field : section.fields()) {
            values.put(field.name(), field.defaultValue().value(hostName));
        }
        return new Settings(section, formPosition, values, Map.of());
    }

    public Section section() {
        return section;
    }

    /** Where the form (or, for a service, its {@code (service ...)}) was written. */
    public Position formPosition() {
        return formPosition;
    }

    public Object get(String fieldName) {
        Object value = values.get(fieldName);
        if (value == null) {
            throw new IllegalArgumentException(section.formName() + " has no field '" + fieldName + "'");
        }
        return value;
    }

    public boolean bool(String fieldName) {
        return (Boolean) get(fieldName);
    }

    public long integer(String fieldName) {
        return (Long) get(fieldName);
    }

    public String string(String fieldName) {
        return (String) get(fieldName);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String fieldName) {
        return (List<String>) get(fieldName);
    }

    /** Whether the file wrote this field (rather than leaving it at its default). */
    public boolean isWritten(String fieldName) {
        return written.containsKey(fieldName);
    }

    /** Names of the fields the file wrote. */
    public Set<String> writtenFields() {
        return written.keySet();
    }

    /** Where the field's value was written, or the form's position when it was left at its default. */
    public Position positionOf(String fieldName) {
        get(fieldName);
        return written.getOrDefault(fieldName, formPosition);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings other && section == other.section && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(section, values);
    }

    @Override
    public String toString() {
        return section.formName() + values;
    }
}

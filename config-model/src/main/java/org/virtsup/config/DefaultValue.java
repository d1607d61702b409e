package org.virtsup.config;

import java.util.function.Function;

/** A field's default: a constant, or one that depends on the host's name (mdns-name). */
public record DefaultValue(Function<String, Object> forHost, String description) {

    public static DefaultValue of(FieldType type, Object value) {
        return new DefaultValue(host -> value, type.write(value));
    }

    public Object value(String hostName) {
        return forHost.apply(hostName);
    }
}

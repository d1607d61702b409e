package org.virtsup.notify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One sd_notify datagram from a daemon: newline-separated {@code KEY=VALUE}
 * assignments (libvirtd and virtlogd send just {@code READY=1}).
 *
 * @param fields     the assignments in the order sent; a repeated key keeps the last value
 * @param senderPid  the sending process when the kernel told us (SCM_CREDENTIALS)
 */
public record NotifyMessage(Map<String, String> fields, OptionalInt senderPid) {

    public NotifyMessage {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Parses a datagram; lines without '=' are ignored, as systemd does. */
    public static NotifyMessage parse(String datagram, OptionalInt senderPid) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : datagram.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return new NotifyMessage(fields, senderPid);
    }

    public boolean ready() {
        return "1".equals(fields.get("READY"));
    }

    public boolean reloading() {
        return "1".equals(fields.get("RELOADING"));
    }

    public boolean stopping() {
        return "1".equals(fields.get("STOPPING"));
    }

    public Optional<String> status() {
        return Optional.ofNullable(fields.get("STATUS"));
    }

    public OptionalInt mainPid() {
        return integer("MAINPID");
    }

    public OptionalInt errno() {
        return integer("ERRNO");
    }

    private OptionalInt integer(String key) {
        String value = fields.get(key);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}

package org.virtsup.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.virtsup.config.read.Datum;

/**
 * The value rules of the catalog: what libvirt 9.0 refuses at start-up
 * (read from its remote_daemon_config.c, remote_daemon.c and virlog.c),
 * checked before any process is started.
 */
final class ValueRules {
    private static final Pattern OCTAL = Pattern.compile("[0-7]{1,5}");
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9+._-]*");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
    private static final List<String> OUTPUT_DESTINATIONS = List.of("stderr", "syslog", "file", "journald");

    /** libvirt reads these with virConfGetValueUInt: 0 to 2^32-1. */
    static final long UINT_MAX = 4_294_967_295L;

    private ValueRules() {}

    static ValueRule oneOf(String note, String... allowed) {
        List<String> list = Arrays.asList(allowed);
        return value -> list.contains((String) value)
                ? Optional.empty()
                : Optional.of(Datum.quoted((String) value) + " is not allowed; allowed: " + quotedList(list) + note);
    }

    static ValueRule eachOneOf(String... allowed) {
        List<String> list = Arrays.asList(allowed);
        return value -> {
            for (Object item : (List<?>) value) {
                if (!list.contains((String) item)) {
                    return Optional.of(Datum.quoted((String) item) + " is not allowed; allowed: " + quotedList(list));
                }
            }
            return Optional.empty();
        };
    }

    static ValueRule range(long min, long max) {
        return value -> {
            long n = (Long) value;
            if (n >= min && n <= max) {
                return Optional.empty();
            }
            if (max == UINT_MAX || max == Integer.MAX_VALUE) {
                return Optional.of(n + " is out of range; allowed: " + min + " or more" + (n > max ? " up to " + max : ""));
            }
            return Optional.of(n + " is out of range; allowed: " + min + " to " + max);
        };
    }

    /** A port is a number 1..65535 or a service name that getaddrinfo resolves. */
    static ValueRule port() {
        return value -> {
            String s = (String) value;
            if (DIGITS.matcher(s).matches()) {
                long n = s.length() > 6 ? Long.MAX_VALUE : Long.parseLong(s);
                return n >= 1 && n <= 65535 ? Optional.empty()
                        : Optional.of(Datum.quoted(s) + " is not a port; allowed: a number from 1 to 65535 or a service name such as \"libvirt-tls\"");
            }
            return SERVICE_NAME.matcher(s).matches() ? Optional.empty()
                    : Optional.of(Datum.quoted(s) + " is not a port; allowed: a number from 1 to 65535 or a service name such as \"libvirt-tls\"");
        };
    }

    /** libvirt parses socket permissions with strtol(..., 8): octal digits only. */
    static ValueRule octalMode() {
        return value -> {
            String s = (String) value;
            if (OCTAL.matcher(s).matches() && Integer.parseInt(s, 8) <= 07777) {
                return Optional.empty();
            }
            return Optional.of(Datum.quoted(s) + " is not an octal file mode; allowed: octal digits such as \"0770\"");
        };
    }

    /** virSetHostUUIDStr: a UUID whose hex digits are not all the same; "" leaves it to host-uuid-source. */
    static ValueRule hostUuid() {
        return value -> {
            String s = (String) value;
            if (s.isEmpty()) {
                return Optional.empty();
            }
            if (!UUID.matcher(s).matches()) {
                return Optional.of(Datum.quoted(s) + " is not a UUID; allowed: \"\" or 32 hex digits such as \"8e5e5b9a-3c3b-4e7c-9b0d-6a6f0f1b2c3d\"");
            }
            String digits = s.replace("-", "").toLowerCase();
            if (digits.chars().distinct().count() == 1) {
                return Optional.of(Datum.quoted(s) + " is refused by libvirt: the digits of a host UUID must not all be the same");
            }
            return Optional.empty();
        };
    }

    /** virLogParseFilters: space-separated N:name or N:+name, N from 1 to 4. */
    static ValueRule logFilters() {
        return value -> {
            for (String filter : ((String) value).split(" ")) {
                if (filter.isEmpty()) {
                    continue;
                }
                String[] parts = filter.split(":", -1);
                if (parts.length != 2) {
                    return Optional.of("filter " + Datum.quoted(filter) + " is malformed; allowed: space-separated N:name or N:+name, N from 1 (debug) to 4 (error)");
                }
                if (!validLevel(parts[0])) {
                    return Optional.of("filter " + Datum.quoted(filter) + " has level " + Datum.quoted(parts[0]) + "; allowed levels: 1 (debug) to 4 (error)");
                }
                String name = parts[1].startsWith("+") ? parts[1].substring(1) : parts[1];
                if (name.isEmpty()) {
                    return Optional.of("filter " + Datum.quoted(filter) + " has no name; allowed: N:name or N:+name, e.g. \"3:remote\"");
                }
            }
            return Optional.empty();
        };
    }

    /** virLogParseOutputs: space-separated N:stderr, N:journald, N:syslog:IDENT, N:file:ABSOLUTE_PATH. */
    static ValueRule logOutputs() {
        String allowed = "; allowed: space-separated N:stderr, N:journald, N:syslog:IDENT or N:file:ABSOLUTE_PATH, N from 1 (debug) to 4 (error)";
        return value -> {
            for (String output : ((String) value).split(" ")) {
                if (output.isEmpty()) {
                    continue;
                }
                String[] parts = output.split(":", 3);
                if (parts.length < 2) {
                    return Optional.of("output " + Datum.quoted(output) + " is malformed" + allowed);
                }
                if (!validLevel(parts[0])) {
                    return Optional.of("output " + Datum.quoted(output) + " has level " + Datum.quoted(parts[0]) + "; allowed levels: 1 (debug) to 4 (error)");
                }
                String destination = parts[1];
                if (!OUTPUT_DESTINATIONS.contains(destination)) {
                    return Optional.of("output " + Datum.quoted(output) + " has destination " + Datum.quoted(destination)
                            + "; allowed: " + quotedList(OUTPUT_DESTINATIONS) + NameSuggestion.didYouMean(destination, OUTPUT_DESTINATIONS));
                }
                boolean needsArgument = destination.equals("syslog") || destination.equals("file");
                if (needsArgument != (parts.length == 3)) {
                    return Optional.of("output " + Datum.quoted(output) + " is malformed" + allowed);
                }
                if (destination.equals("syslog") && parts[2].isEmpty()) {
                    return Optional.of("output " + Datum.quoted(output) + " has no syslog ident; write N:syslog:IDENT, e.g. \"3:syslog:libvirtd\"");
                }
                if (destination.equals("file") && !parts[2].startsWith("/")) {
                    return Optional.of("output " + Datum.quoted(output) + " needs an absolute path; write N:file:/PATH, e.g. \"3:file:/var/log/libvirt/libvirtd.log\"");
                }
            }
            return Optional.empty();
        };
    }

    /** HOST:PORT for a listening socket (an IPv6 host in brackets), or #f for none. */
    static ValueRule hostPort() {
        String allowed = "; allowed: \"HOST:PORT\" such as \"127.0.0.1:9474\" or \"[::1]:9474\", or #f for none";
        return value -> {
            if (!(value instanceof String s)) {
                return Optional.empty();
            }
            int colon = s.lastIndexOf(':');
            String host = colon < 0 ? "" : s.substring(0, colon);
            String port = colon < 0 ? "" : s.substring(colon + 1);
            boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
            if (host.isEmpty() || (host.contains(":") && !bracketed) || host.contains(" ")) {
                return Optional.of(Datum.quoted(s) + " is not an address" + allowed);
            }
            if (!DIGITS.matcher(port).matches() || port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return Optional.of(Datum.quoted(s) + " has no port from 1 to 65535" + allowed);
            }
            return Optional.empty();
        };
    }

    static ValueRule absolutePath() {
        return value -> ((String) value).startsWith("/") ? Optional.empty()
                : Optional.of(Datum.quoted((String) value) + " is not an absolute path; allowed: a path starting with '/'");
    }

    static ValueRule nonEmpty(String example) {
        return value -> ((String) value).isEmpty() ? Optional.of("\"\" is not allowed; allowed: a non-empty string such as " + example)
                : Optional.empty();
    }

    private static boolean validLevel(String text) {
        return text.length() == 1 && text.charAt(0) >= '1' && text.charAt(0) <= '4';
    }

    static String quotedList(List<String> values) {
        return values.stream().map(Datum::quoted).collect(Collectors.joining(", "));
    }
}

package org.virtsup.adopt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a virtsup that re-executes itself in place hands the next one, in the
 * environment variable {@value #VARIABLE}: which of its descriptors are the
 * control socket and the daemons' held sockets, how many re-executions came
 * before, and how long virtsup had been up. The daemons themselves are found
 * through the {@link StateRecord}, as after a crash, and are still this
 * process's children.
 *
 * <pre>
 * VIRTSUP_HANDOVER=1 generation=2 up-millis=86400000 control=7 sockets=libvirtd.socket:9,virtlogd.socket:10
 *     restarts=libvirtd:1,virtlogd:0 outputs=libvirtd:12,virtlogd:11
 * </pre>
 * (one line, folded here).
 *
 * Anyone could set the variable: it is read as hostile, and anything
 * unexpected makes it {@link Invalid} (virtsup then starts as if it were not
 * there).
 *
 * @param generation how many times virtsup re-executed itself since it was started
 * @param up         how long virtsup had been up when it re-executed
 * @param control    the control socket's listening descriptor, if it crosses
 * @param sockets    the held sockets' descriptors by their {@code LISTEN_FDNAMES} name
 * @param restarts   each daemon's restart count, by its program name
 * @param outputs    the reading end of each daemon's output pipe, by its program name
 * @param inodes     each descriptor's inode (fstat), by descriptor: the next virtsup uses or closes a
 *                   descriptor only when it is still that very file
 */
public record Handover(int generation, Duration up, OptionalInt control, Map<String, Integer> sockets,
                       Map<String, Integer> restarts, Map<String, Integer> outputs, Map<Integer, Long> inodes) {
    public static final String VARIABLE = "VIRTSUP_HANDOVER";
    private static final String FORMAT = "1";
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,12}");
    private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_LENGTH = 4096;
    /** The highest descriptor taken: far above what virtsup opens, below any RLIMIT_NOFILE in use. */
    private static final int MAX_FD = 1 << 20;

    /** Why the variable is not one virtsup wrote. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String problem) {
            super(VARIABLE + ": " + problem);
        }
    }

    public Handover {
        if (generation < 1) {
            throw new IllegalArgumentException("generation " + generation + " is not 1 or more");
        }
        if (up.isNegative()) {
            throw new IllegalArgumentException("negative up time " + up);
        }
        sockets = java.util.Collections.unmodifiableMap(new TreeMap<>(sockets));
        restarts = java.util.Collections.unmodifiableMap(new TreeMap<>(restarts));
        outputs = java.util.Collections.unmodifiableMap(new TreeMap<>(outputs));
        inodes = java.util.Collections.unmodifiableMap(new TreeMap<>(inodes));
    }

    /** The variable's value, which {@link #parse} reads back to an equal handover. */
    public String render() {
        StringBuilder text = new StringBuilder(FORMAT).append(" generation=").append(generation)
                .append(" up-millis=").append(up.toMillis());
        control.ifPresent(fd -> text.append(" control=").append(fd));
        return text.append(" sockets=").append(pairs(sockets)).append(" restarts=").append(pairs(restarts))
                .append(" outputs=").append(pairs(outputs))
                .append(" inodes=").append(String.join(",", inodes.entrySet().stream()
                        .map(entry -> entry.getKey() + ":" + entry.getValue()).toList())).toString();
    }

    private static String pairs(Map<String, Integer> values) {
        StringBuilder list = new StringBuilder();
        values.forEach((name, n) -> list.append(list.length() == 0 ? "" : ",").append(name).append(':').append(n));
        return list.toString();
    }

    public static Handover parse(String text) throws Invalid {
        if (text.length() > MAX_LENGTH) {
            throw new Invalid("longer than " + MAX_LENGTH + " characters");
        }
        String[] fields = text.split(" ", -1);
        if (!fields[0].equals(FORMAT)) {
            throw new Invalid("not a handover of this virtsup (format \"" + FORMAT + "\" expected first)");
        }
        Map<String, String> values = new TreeMap<>();
        for (int i = 1; i < fields.length; i++) {
            int equals = fields[i].indexOf('=');
            String key = equals < 0 ? fields[i] : fields[i].substring(0, equals);
            if (equals <= 0 || !Map.of("generation", 1, "up-millis", 1, "control", 1, "sockets", 1, "restarts", 1, "outputs", 1,
                    "inodes", 1).containsKey(key)) {
                throw new Invalid("field " + (i + 1) + " is not generation=, up-millis=, control=, sockets=, restarts=,"
                        + " outputs= or inodes=");
            }
            if (values.put(key, fields[i].substring(equals + 1)) != null) {
                throw new Invalid(key + " is given twice");
            }
        }
        for (String key : new String[] {"generation", "up-millis", "sockets", "restarts", "outputs", "inodes"}) {
            if (!values.containsKey(key)) {
                throw new Invalid(key + " is missing");
            }
        }
        long generation = number("generation", values.get("generation"));
        if (generation < 1 || generation > Integer.MAX_VALUE) {
            throw new Invalid("generation " + generation + " is out of range");
        }
        long up = number("up-millis", values.get("up-millis"));
        OptionalInt control = values.containsKey("control")
                ? OptionalInt.of(descriptor("control", values.get("control"))) : OptionalInt.empty();
        Map<String, Integer> sockets = new TreeMap<>();
        for (Map.Entry<String, String> entry : pairs("sockets", values.get("sockets")).entrySet()) {
            sockets.put(entry.getKey(), descriptor("socket " + entry.getKey(), entry.getValue()));
        }
        Map<String, Integer> restarts = new TreeMap<>();
        for (Map.Entry<String, String> entry : pairs("restarts", values.get("restarts")).entrySet()) {
            long count = number("restarts of " + entry.getKey(), entry.getValue());
            if (count > Integer.MAX_VALUE) {
                throw new Invalid("restarts of " + entry.getKey() + " is out of range");
            }
            restarts.put(entry.getKey(), (int) count);
        }
        Map<String, Integer> outputs = new TreeMap<>();
        for (Map.Entry<String, String> entry : pairs("outputs", values.get("outputs")).entrySet()) {
            outputs.put(entry.getKey(), descriptor("output of " + entry.getKey(), entry.getValue()));
        }
        Map<Integer, Long> inodes = new TreeMap<>();
        for (Map.Entry<String, String> entry : pairs("inodes", values.get("inodes")).entrySet()) {
            long inode = number("inode of " + entry.getKey(), entry.getValue());
            if (inode < 1) {
                throw new Invalid("inode of " + entry.getKey() + " is 0");
            }
            inodes.put(descriptor("inodes", entry.getKey()), inode);
        }
        List<Integer> descriptors = new ArrayList<>(sockets.values());
        descriptors.addAll(outputs.values());
        control.ifPresent(descriptors::add);
        if (descriptors.stream().distinct().count() != descriptors.size()) {
            throw new Invalid("a descriptor is named twice");
        }
        return new Handover((int) generation, Duration.ofMillis(up), control, sockets, restarts, outputs, inodes);
    }

    /** NAME:VALUE,NAME:VALUE, each name once. */
    private static Map<String, String> pairs(String field, String list) throws Invalid {
        Map<String, String> pairs = new TreeMap<>();
        if (list.isEmpty()) {
            return pairs;
        }
        for (String entry : list.split(",", -1)) {
            int colon = entry.lastIndexOf(':');
            String name = colon < 0 ? entry : entry.substring(0, colon);
            if (colon < 0 || !SOCKET_NAME.matcher(name).matches()) {
                throw new Invalid(field + ": an entry is not NAME:NUMBER");
            }
            if (pairs.put(name, entry.substring(colon + 1)) != null) {
                throw new Invalid(field + ": " + name + " is given twice");
            }
        }
        return pairs;
    }

    private static long number(String field, String value) throws Invalid {
        if (!DIGITS.matcher(value).matches()) {
            throw new Invalid(field + " is not a number");
        }
        return Long.parseLong(value);
    }

    private static int descriptor(String field, String value) throws Invalid {
        long fd = number(field, value);
        if (fd < 3 || fd > MAX_FD) {
            throw new Invalid(field + ": descriptor " + fd + " is not between 3 and " + MAX_FD);
        }
        return (int) fd;
    }
}

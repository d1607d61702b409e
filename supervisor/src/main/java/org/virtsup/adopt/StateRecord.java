package org.virtsup.adopt;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.virtsup.supervise.Daemon;

/**
 * What {@code virtsup run} runs, as it writes it down for the next one: at
 * most one {@link DaemonRecord} per daemon. The text is one header line and
 * one line per daemon, {@code key=value} fields separated by single spaces;
 * strings from /proc (which may hold any byte but NUL) are base64:
 *
 * <pre>
 * virtsup-state 1
 * daemon=libvirtd pid=812 start-time=90211 executable=L3Vzci9zYmluL2xpYnZpcnRk command-line=... configuration=3f9a... sockets=libvirtd.socket:4711,libvirtd-ro.socket:4712
 * </pre>
 *
 * A file anyone could have written is read as hostile: every field is
 * checked, and anything unexpected makes the whole record {@link Invalid}.
 */
public record StateRecord(Map<Daemon, DaemonRecord> daemons) {
    static final String HEADER = "virtsup-state 1";
    /** Far above two daemons' lines; a bigger file is not one virtsup wrote. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final List<String> KEYS =
            List.of("daemon", "pid", "start-time", "executable", "command-line", "configuration", "sockets");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The kernel's highest pid_max (PID_MAX_LIMIT on 64-bit). */
    private static final int PID_MAX = 4_194_304;

    /** Why a record cannot be trusted, with the line it is on. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(int line, String problem) {
            super("line " + line + ": " + problem);
        }
    }

    public StateRecord {
        EnumMap<Daemon, DaemonRecord> copy = new EnumMap<>(Daemon.class);
        daemons.forEach((daemon, record) -> {
            if (record.daemon() != daemon) {
                throw new IllegalArgumentException(record.daemon() + "'s record filed under " + daemon);
            }
            copy.put(daemon, record);
        });
        daemons = java.util.Collections.unmodifiableMap(copy);
    }

    public static StateRecord empty() {
        return new StateRecord(Map.of());
    }

    public Optional<DaemonRecord> of(Daemon daemon) {
        return Optional.ofNullable(daemons.get(daemon));
    }

    /** The text {@link #parse} reads back to an equal record. */
    public String render() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (DaemonRecord record : daemons.values()) {
            ProcessIdentity process = record.process();
            List<String> sockets = new ArrayList<>();
            record.socketInodes().forEach((name, inode) -> sockets.add(name + ":" + inode));
            text.append("daemon=").append(record.daemon().programName())
                    .append(" pid=").append(process.pid())
                    .append(" start-time=").append(process.startTime())
                    .append(" executable=").append(base64(process.executable()))
                    .append(" command-line=").append(base64(String.join("\0", process.commandLine())))
                    .append(" configuration=").append(record.configurationDigest())
                    .append(" sockets=").append(String.join(",", sockets))
                    .append('\n');
        }
        return text.toString();
    }

    /** The record in {@code text}, or why it is not one virtsup wrote. */
    public static StateRecord parse(String text) throws Invalid {
        if (text.length() > MAX_BYTES) {
            throw new Invalid(1, "longer than " + MAX_BYTES + " characters");
        }
        if (!text.endsWith("\n")) {
            throw new Invalid(1, "the last line is not ended: a file cut short");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new Invalid(1, "not a virtsup state record (the first line is not \"" + HEADER + "\")");
        }
        Map<Daemon, DaemonRecord> daemons = new EnumMap<>(Daemon.class);
        for (int i = 1; i < lines.length; i++) {
            DaemonRecord record = daemonLine(i + 1, lines[i]);
            if (daemons.put(record.daemon(), record) != null) {
                throw new Invalid(i + 1, record.daemon() + " is recorded twice");
            }
        }
        return new StateRecord(daemons);
    }

    private static DaemonRecord daemonLine(int line, String text) throws Invalid {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : text.split(" ", -1)) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new Invalid(line, "a field is not key=value: \"" + shown(field) + "\"");
            }
            String key = field.substring(0, equals);
            if (!KEYS.contains(key)) {
                throw new Invalid(line, "unknown field \"" + shown(key) + "\"");
            }
            if (fields.put(key, field.substring(equals + 1)) != null) {
                throw new Invalid(line, "field " + key + " is given twice");
            }
        }
        for (String key : KEYS) {
            if (!fields.containsKey(key)) {
                throw new Invalid(line, "field " + key + " is missing");
            }
        }
        Daemon daemon = Daemon.named(fields.get("daemon"))
                .orElseThrow(() -> new Invalid(line, "no daemon is called \"" + shown(fields.get("daemon")) + "\""));
        long pid = number(line, "pid", fields.get("pid"));
        if (pid < 1 || pid > PID_MAX) {
            throw new Invalid(line, "pid " + pid + " is not between 1 and " + PID_MAX);
        }
        long startTime = number(line, "start-time", fields.get("start-time"));
        String executable = decoded(line, "executable", fields.get("executable"));
        if (!executable.startsWith("/") || executable.indexOf('\0') >= 0) {
            throw new Invalid(line, "the executable is not an absolute path");
        }
        String commandLine = decoded(line, "command-line", fields.get("command-line"));
        if (commandLine.isEmpty()) {
            throw new Invalid(line, "the command line is empty");
        }
        String digest = fields.get("configuration");
        if (!DIGEST.matcher(digest).matches()) {
            throw new Invalid(line, "the configuration digest is not 64 lowercase hex digits");
        }
        ProcessIdentity process = new ProcessIdentity((int) pid, startTime, executable,
                List.of(commandLine.split("\0", -1)));
        return new DaemonRecord(daemon, process, digest, sockets(line, fields.get("sockets")));
    }

    private static Map<String, Long> sockets(int line, String value) throws Invalid {
        Map<String, Long> sockets = new HashMap<>();
        if (value.isEmpty()) {
            return sockets;
        }
        for (String entry : value.split(",", -1)) {
            int colon = entry.lastIndexOf(':');
            String name = colon < 0 ? entry : entry.substring(0, colon);
            if (colon < 0 || !SOCKET_NAME.matcher(name).matches()) {
                throw new Invalid(line, "a socket is not NAME:INODE: \"" + shown(entry) + "\"");
            }
            if (sockets.put(name, number(line, "socket " + name, entry.substring(colon + 1))) != null) {
                throw new Invalid(line, "socket " + name + " is given twice");
            }
        }
        return sockets;
    }

    private static long number(int line, String field, String value) throws Invalid {
        if (!DIGITS.matcher(value).matches()) {
            throw new Invalid(line, field + " is not a number: \"" + shown(value) + "\"");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Invalid(line, field + " is out of range: " + value);
        }
    }

    private static String decoded(int line, String field, String value) throws Invalid {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new Invalid(line, field + " is not base64");
        }
        try {
            return utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new Invalid(line, field + " is not UTF-8");
        }
    }

    /** {@code bytes} as UTF-8, refusing any malformed sequence. */
    static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A hostile value in a log line: printable ASCII only, and not too long. */
    private static String shown(String value) {
        StringBuilder text = new StringBuilder();
        for (char c : value.toCharArray()) {
            text.append(c >= 0x20 && c < 0x7f ? c : '?');
            if (text.length() == 40) {
                return text + "...";
            }
        }
        return text.toString();
    }
}

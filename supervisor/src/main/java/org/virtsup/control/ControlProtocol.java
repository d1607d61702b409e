package org.virtsup.control;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Signal;

/**
 * The control socket's wire format, shared by server and client: one JSON object
 * per line each way, every object carrying {@code "v": 1}.
 *
 * <pre>
 * → {"v":1,"command":"restart","name":"libvirtd"}
 * ← {"v":1,"result":{"name":"libvirtd","state":"RUNNING","pid":4242,"message":"libvirtd restarted","warnings":[]}}
 * → {"v":1,"command":"stop","name":"nope"}
 * ← {"v":1,"error":{"code":"no-such-daemon","message":"no daemon named 'nope': virtsup supervises libvirtd, virtlogd"}}
 * </pre>
 *
 * JSON goes through {@link JsonLine} (the JDK alone, no reflection): this
 * class is on the CLI's start-up path.
 */
public final class ControlProtocol {
    public static final int VERSION = 1;
    /** A request line may not be longer; requests are a few dozen bytes. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private ControlProtocol() {}

    // ---- requests ----

    public static String encodeRequest(Request request) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("v", VERSION);
        map.put("command", request.command());
        map.putAll(request.handledBy(new RequestFields()));
        return write(map);
    }

    public static Request decodeRequest(String line) throws ProtocolException {
        Map<String, Object> map = readObject(line, ErrorCode.BAD_REQUEST);
        checkVersion(map, ErrorCode.UNSUPPORTED_VERSION);
        Object command = map.get("command");
        if (!(command instanceof String name)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the request has no \"command\" string");
        }
        Verb verb = Verb.named(name).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_COMMAND,
                "unknown command '" + name + "': known are " + Verb.known()));
        try {
            return switch (verb) {
                case STATUS -> new Request.Status(optionalString(map, "name"));
                case START -> new Request.Start(requiredString(map, "name"));
                case STOP -> new Request.Stop(requiredString(map, "name"));
                case RESTART -> new Request.Restart(requiredString(map, "name"));
                case RELOAD -> new Request.Reload(optionalString(map, "name"));
                case SIGNAL -> new Request.Signal(requiredString(map, "name"), signal(map.get("signal")));
                case LOG -> new Request.Log(requiredString(map, "name"),
                        optionalInt(map, "lines").orElse(Request.Log.DEFAULT_LINES));
                case REEXEC -> new Request.Reexec();
            };
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    private static Signal signal(Object value) {
        if (value instanceof Integer n) {
            return new Signal(n);
        }
        if (value instanceof Number n) {
            // intValue() would wrap 4294967297 to 1 (SIGHUP) and truncate 9.5 to 9 (SIGKILL).
            throw new IllegalArgumentException("\"signal\" must be a whole number from 1 to 64, not " + n);
        }
        if (value instanceof String s) {
            return Signal.named(s);
        }
        throw new IllegalArgumentException("\"signal\" must be a signal number or name");
    }

    // ---- replies ----

    public static String encodeReply(Reply reply) {
        return write(replyToWire(reply));
    }

    /** The reply as the JSON tree that goes on the wire (what {@code --json} prints). */
    public static Map<String, Object> replyToWire(Reply reply) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("v", VERSION);
        if (reply instanceof Reply.Failure f) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", f.code().wireName());
            error.put("message", f.message());
            map.put("error", error);
        } else {
            map.put("result", resultToWire(reply));
        }
        return map;
    }

    private static Map<String, Object> resultToWire(Reply reply) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (reply instanceof StatusReport s) {
            Map<String, Object> sup = new LinkedHashMap<>();
            sup.put("pid", s.virtsup().pid());
            sup.put("uptimeSeconds", s.virtsup().uptimeSeconds());
            putIfPresent(sup, "configFile", s.virtsup().configFile());
            sup.put("configMatchesFile", s.virtsup().configMatchesFile());
            sup.put("version", s.virtsup().version());
            if (!s.virtsup().reloadProblems().isEmpty()) {
                sup.put("reloadProblems", s.virtsup().reloadProblems());
            }
            sup.put("reexecs", s.virtsup().reexecs());
            result.put("supervisor", sup);
            List<Object> daemons = new ArrayList<>();
            for (StatusReport.Daemon d : s.daemons()) {
                daemons.add(daemonToWire(d));
            }
            result.put("daemons", daemons);
        } else if (reply instanceof Reply.ActionOutcome a) {
            putIfPresent(result, "name", a.name());
            if (a.state().isPresent()) {
                result.put("state", a.state().get().name());
            }
            if (a.pid().isPresent()) {
                result.put("pid", a.pid().getAsInt());
            }
            result.put("message", a.message());
            result.put("warnings", a.warnings());
        } else if (reply instanceof Reply.LogOutput l) {
            result.put("name", l.name());
            result.put("lines", l.lines());
        }
        return result;
    }

    private static Map<String, Object> daemonToWire(StatusReport.Daemon d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("wanted", d.wanted().wireName());
        m.put("state", d.state().name());
        if (d.pid().isPresent()) {
            m.put("pid", d.pid().getAsInt());
        }
        if (d.uptimeSeconds().isPresent()) {
            m.put("uptimeSeconds", d.uptimeSeconds().getAsLong());
        }
        m.put("ready", d.ready());
        m.put("restarts", d.restarts());
        if (d.lastExit().isPresent()) {
            StatusReport.LastExit e = d.lastExit().get();
            Map<String, Object> exit = new LinkedHashMap<>();
            exit.put("description", e.description());
            if (e.code().isPresent()) {
                exit.put("code", e.code().getAsInt());
            }
            if (e.signal().isPresent()) {
                exit.put("signal", e.signal().getAsInt());
            }
            exit.put("at", e.at().toString());
            m.put("lastExit", exit);
        }
        if (d.nextRetryInSeconds().isPresent()) {
            m.put("nextRetryInSeconds", d.nextRetryInSeconds().getAsLong());
        }
        if (d.nextRetryAt().isPresent()) {
            m.put("nextRetryAt", d.nextRetryAt().get().toString());
        }
        m.put("lastOutputLines", d.lastOutputLines());
        m.put("warnings", d.warnings());
        m.put("sockets", SocketsOnWire.toWire(d.sockets()));
        return m;
    }

    /**
     * Reads the reply to {@code request}: the request's kind says which result
     * shape to expect.
     */
    public static Reply decodeReply(String line, Request request) throws ProtocolException {
        Map<String, Object> map = readObject(line, ErrorCode.INTERNAL);
        checkVersion(map, ErrorCode.INTERNAL);
        try {
            if (map.get("error") instanceof Map<?, ?> error) {
                Map<String, Object> e = asObject(error);
                return new Reply.Failure(ErrorCode.fromWire(requiredString(e, "code")),
                        requiredString(e, "message"));
            }
            if (!(map.get("result") instanceof Map<?, ?> resultMap)) {
                throw new IllegalArgumentException("the reply has neither \"result\" nor \"error\"");
            }
            Map<String, Object> result = asObject(resultMap);
            if (request instanceof Request.Status) {
                return statusFromWire(result);
            }
            if (request instanceof Request.Log) {
                return new Reply.LogOutput(requiredString(result, "name"), strings(result, "lines"));
            }
            Optional<String> state = optionalString(result, "state");
            return new Reply.ActionOutcome(optionalString(result, "name"),
                    state.isPresent() ? Optional.of(Phase.valueOf(state.get())) : Optional.empty(),
                    optionalInt(result, "pid"), requiredString(result, "message"),
                    strings(result, "warnings"));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ProtocolException(ErrorCode.INTERNAL, "unreadable reply from virtsup: " + e.getMessage());
        }
    }

    private static StatusReport statusFromWire(Map<String, Object> result) {
        Map<String, Object> sup = object(result, "supervisor");
        StatusReport.Virtsup supervisor = new StatusReport.Virtsup(
                optionalInt(sup, "pid").orElse(0),
                optionalLong(sup, "uptimeSeconds").orElse(0),
                optionalString(sup, "configFile"),
                Boolean.TRUE.equals(sup.get("configMatchesFile")),
                optionalString(sup, "version").orElse("unknown"),
                strings(sup, "reloadProblems"),
                optionalInt(sup, "reexecs").orElse(0));
        List<StatusReport.Daemon> daemons = new ArrayList<>();
        if (result.get("daemons") instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof Map<?, ?> raw)) {
                    throw new IllegalArgumentException("\"daemons\" holds a non-object");
                }
                daemons.add(daemonFromWire(asObject(raw)));
            }
        }
        return new StatusReport(supervisor, daemons);
    }

    private static StatusReport.Daemon daemonFromWire(Map<String, Object> m) {
        Optional<StatusReport.LastExit> lastExit = Optional.empty();
        if (m.get("lastExit") instanceof Map<?, ?> raw) {
            Map<String, Object> e = asObject(raw);
            lastExit = Optional.of(new StatusReport.LastExit(requiredString(e, "description"),
                    optionalInt(e, "code"), optionalInt(e, "signal"),
                    UtcTime.parse(requiredString(e, "at"))));
        }
        return new StatusReport.Daemon(requiredString(m, "name"),
                Wanted.fromWire(requiredString(m, "wanted")),
                Phase.valueOf(requiredString(m, "state")),
                optionalInt(m, "pid"), optionalLong(m, "uptimeSeconds"),
                Boolean.TRUE.equals(m.get("ready")), optionalInt(m, "restarts").orElse(0),
                lastExit, optionalLong(m, "nextRetryInSeconds"),
                strings(m, "lastOutputLines"), strings(m, "warnings"), SocketsOnWire.fromWire(m.get("sockets")),
                optionalInstant(m, "nextRetryAt"));
    }

    // ---- JSON plumbing (no lambdas: this runs once per CLI start, where each costs a generated class) ----

    private static void putIfPresent(Map<String, Object> map, String key, Optional<String> value) {
        if (value.isPresent()) {
            map.put(key, value.get());
        }
    }

    /** One JSON object on one line (the generator escapes newlines inside strings). */
    public static String write(Map<String, Object> map) {
        return JsonLine.write(map);
    }

    private static Map<String, Object> readObject(String line, ErrorCode code) throws ProtocolException {
        String trimmed = line.strip();
        if (!trimmed.startsWith("{")) {
            throw new ProtocolException(code, "not a JSON object: each line must be one {...}");
        }
        try {
            if (JsonLine.read(trimmed) instanceof Map<?, ?> map) {
                return asObject(map);
            }
            throw new ProtocolException(code, "not a JSON object: each line must be one {...}");
        } catch (IOException e) {
            throw new ProtocolException(code, "malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private static void checkVersion(Map<String, Object> map, ErrorCode code) throws ProtocolException {
        Object v = map.get("v");
        if (!(v instanceof Number n) || n.intValue() != VERSION || n.doubleValue() != VERSION) {
            throw new ProtocolException(code, "protocol version " + (v == null ? "missing" : v)
                    + ": this virtsup speaks \"v\": " + VERSION);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static Map<String, Object> object(Map<String, Object> map, String key) {
        if (map.get(key) instanceof Map<?, ?> raw) {
            return asObject(raw);
        }
        throw new IllegalArgumentException("\"" + key + "\" must be an object");
    }

    private static String requiredString(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value instanceof String s && !s.isEmpty()) {
            return s;
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a non-empty string");
    }

    private static Optional<String> optionalString(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s && !s.isEmpty()) {
            return Optional.of(s);
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a non-empty string");
    }

    private static Optional<Instant> optionalInstant(Map<String, Object> map, String key) {
        Optional<String> text = optionalString(map, key);
        return text.isPresent() ? Optional.of(UtcTime.parse(text.get())) : Optional.empty();
    }

    private static OptionalInt optionalInt(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value instanceof Integer i) {
            return OptionalInt.of(i);
        }
        throw new IllegalArgumentException("\"" + key + "\" must be an integer");
    }

    private static OptionalLong optionalLong(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value instanceof Integer || value instanceof Long) {
            return OptionalLong.of(((Number) value).longValue());
        }
        throw new IllegalArgumentException("\"" + key + "\" must be an integer");
    }

    private static List<String> strings(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw new IllegalArgumentException("\"" + key + "\" must be a list of strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a list of strings");
    }
}

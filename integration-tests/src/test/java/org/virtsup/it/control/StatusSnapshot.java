package org.virtsup.it.control;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.jr.ob.JSON;

/**
 * One {@code virtsup status --json} reply, read with jackson-jr (a test
 * dependency; virtsup itself does not use it) so that the test reads the wire
 * format as any client would, not through virtsup's own decoder.
 */
record StatusSnapshot(String json, Map<String, Object> supervisor, List<Daemon> daemons) {

    static StatusSnapshot parse(String json) {
        Map<String, Object> reply;
        try {
            reply = JSON.std.mapFrom(json.trim());
        } catch (IOException e) {
            throw new AssertionError("status --json printed no JSON object: " + e.getMessage() + "\n" + json, e);
        }
        if (!Integer.valueOf(1).equals(reply.get("v"))) {
            throw new AssertionError("status --json: protocol version is not 1: " + json);
        }
        Map<String, Object> result = object(reply, "result", json);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> daemons = (List<Map<String, Object>>) result.get("daemons");
        if (daemons == null) {
            throw new AssertionError("status --json has no \"daemons\": " + json);
        }
        return new StatusSnapshot(json, object(result, "supervisor", json),
                daemons.stream().map(Daemon::new).toList());
    }

    int supervisorPid() {
        return ((Number) supervisor.get("pid")).intValue();
    }

    Object configMatchesFile() {
        return supervisor.get("configMatchesFile");
    }

    Optional<String> configFile() {
        return Optional.ofNullable((String) supervisor.get("configFile"));
    }

    Daemon daemon(String name) {
        return daemons.stream().filter(d -> name.equals(d.name())).findFirst()
                .orElseThrow(() -> new AssertionError("status --json has no daemon " + name + ": " + json));
    }

    List<String> names() {
        return daemons.stream().map(Daemon::name).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> map, String key, String json) {
        if (!(map.get(key) instanceof Map<?, ?> value)) {
            throw new AssertionError("status --json has no object \"" + key + "\": " + json);
        }
        return (Map<String, Object>) value;
    }

    /** One daemon's fields, as sent. */
    record Daemon(Map<String, Object> fields) {
        String name() {
            return (String) fields.get("name");
        }

        String state() {
            return (String) fields.get("state");
        }

        String wanted() {
            return (String) fields.get("wanted");
        }

        /** The pid, or 0 when the reply has none (not running). */
        int pid() {
            return fields.get("pid") instanceof Number n ? n.intValue() : 0;
        }

        /** The pid of a daemon that must be running; fails rather than give 0, which kill would take as "everyone". */
        int runningPid() {
            if (pid() <= 0) {
                throw new AssertionError(name() + " has no pid: " + fields);
            }
            return pid();
        }

        Object ready() {
            return fields.get("ready");
        }

        int restarts() {
            return ((Number) fields.get("restarts")).intValue();
        }

        boolean runningAndReady() {
            return "RUNNING".equals(state()) && Boolean.TRUE.equals(ready());
        }

        @SuppressWarnings("unchecked")
        Optional<Map<String, Object>> lastExit() {
            return Optional.ofNullable((Map<String, Object>) fields.get("lastExit"));
        }
    }
}

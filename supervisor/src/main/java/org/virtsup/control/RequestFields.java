package org.virtsup.control;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A request's fields on the wire besides the version and the command, in the order they are written. */
final class RequestFields implements Request.Handlers<Map<String, Object>> {
    @Override
    public Map<String, Object> status(Request.Status status) {
        return optionalName(status.name());
    }

    @Override
    public Map<String, Object> start(Request.Start start) {
        return name(start.name());
    }

    @Override
    public Map<String, Object> stop(Request.Stop stop) {
        return name(stop.name());
    }

    @Override
    public Map<String, Object> restart(Request.Restart restart) {
        return name(restart.name());
    }

    @Override
    public Map<String, Object> reload(Request.Reload reload) {
        return optionalName(reload.name());
    }

    @Override
    public Map<String, Object> signal(Request.Signal signal) {
        Map<String, Object> fields = name(signal.name());
        fields.put("signal", signal.signal().number());
        return fields;
    }

    @Override
    public Map<String, Object> log(Request.Log log) {
        Map<String, Object> fields = name(log.name());
        fields.put("lines", log.lines());
        return fields;
    }

    @Override
    public Map<String, Object> reexec(Request.Reexec reexec) {
        return new LinkedHashMap<>();
    }

    private static Map<String, Object> name(String name) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name);
        return fields;
    }

    private static Map<String, Object> optionalName(Optional<String> name) {
        return name.isPresent() ? name(name.get()) : new LinkedHashMap<>();
    }
}

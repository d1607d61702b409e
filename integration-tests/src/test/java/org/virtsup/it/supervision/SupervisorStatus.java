package org.virtsup.it.supervision;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.jr.ob.JSON;
import org.virtsup.it.ExecResult;

/** What {@code virtsup status --json} said about one daemon. */
record SupervisorStatus(int supervisorPid, Boolean configMatchesFile, Map<String, Object> virtlogd,
        Map<String, Object> libvirtd) {

    /** Asks the virtsup running in the container; exit 3 (a daemon is not running) still reports. */
    static SupervisorStatus of(SupervisorContainer host) {
        ExecResult status = host.virtsup("status", "--json");
        if (status.exitCode() != 0 && status.exitCode() != 3) {
            throw new AssertionError(status.describe());
        }
        return parse(status.stdout());
    }

    /** Whether virtsup status exits 0 (both daemons running and ready) and says the file is what runs. */
    static boolean readyRunningTheFile(SupervisorContainer host) {
        ExecResult status = host.virtsup("status", "--json");
        return status.exitCode() == 0 && Boolean.TRUE.equals(parse(status.stdout()).configMatchesFile());
    }

    @SuppressWarnings("unchecked")
    static List<String> lastOutputLines(Map<String, Object> daemon) {
        Object lines = daemon.get("lastOutputLines");
        return lines instanceof List<?> list ? (List<String>) list : List.of();
    }

    @SuppressWarnings("unchecked")
    static SupervisorStatus parse(String json) {
        Map<String, Object> reply;
        try {
            reply = JSON.std.mapFrom(json);
        } catch (IOException e) {
            throw new AssertionError("virtsup status --json printed no JSON object: " + json, e);
        }
        Map<String, Object> result = (Map<String, Object>) reply.get("result");
        Map<String, Object> supervisor = (Map<String, Object>) result.get("supervisor");
        Map<String, Object> virtlogd = Map.of();
        Map<String, Object> libvirtd = Map.of();
        for (Map<String, Object> daemon : (List<Map<String, Object>>) result.get("daemons")) {
            switch ((String) daemon.get("name")) {
                case "virtlogd" -> virtlogd = daemon;
                case "libvirtd" -> libvirtd = daemon;
                default -> throw new AssertionError("status names an unknown daemon: " + json);
            }
        }
        return new SupervisorStatus(((Number) supervisor.get("pid")).intValue(),
                (Boolean) supervisor.get("configMatchesFile"), virtlogd, libvirtd);
    }

    static int number(Map<String, Object> daemon, String field) {
        Object value = daemon.get(field);
        if (!(value instanceof Number number)) {
            throw new AssertionError("status has no number " + field + ": " + daemon);
        }
        return number.intValue();
    }

    @SuppressWarnings("unchecked")
    static String lastExit(Map<String, Object> daemon) {
        Object exit = daemon.get("lastExit");
        return exit instanceof Map<?, ?> map ? (String) ((Map<String, Object>) map).get("description") : "";
    }

    /**
     * In BACKOFF, the delay virtsup chose before its next try: from the exit to
     * the time the try is due, both as the status gives them.
     */
    @SuppressWarnings("unchecked")
    static Optional<Duration> chosenDelay(Map<String, Object> daemon) {
        if (!"BACKOFF".equals(daemon.get("state")) || !(daemon.get("nextRetryAt") instanceof String due)
                || !(daemon.get("lastExit") instanceof Map<?, ?> exit)) {
            return Optional.empty();
        }
        String exited = (String) ((Map<String, Object>) exit).get("at");
        return Optional.of(Duration.between(Instant.parse(exited), Instant.parse(due)));
    }
}

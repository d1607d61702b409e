package org.virtsup.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.jr.ob.JSON;

/**
 * What {@code virtsup status --json} reported: virtsup's pid and each
 * daemon's state, pid and restarts. Read from the CLI's output, so a change
 * of the wire format shows here as a failure, not as a silent default.
 */
record Status(int supervisorPid, List<DaemonStatus> daemons) {

    /**
     * @param lastExit how its previous process ended, e.g. "killed by signal 9 (SIGKILL)"
     */
    record DaemonStatus(String name, String state, Optional<Integer> pid, boolean ready, int restarts,
                        Optional<String> lastExit) {
        boolean runningAndReady() {
            return state.equals("RUNNING") && ready;
        }
    }

    static Status parse(String json) {
        try {
            Map<String, Object> reply = JSON.std.mapFrom(json);
            Map<?, ?> result = (Map<?, ?>) require(reply, "result");
            Map<?, ?> supervisor = (Map<?, ?>) require(result, "supervisor");
            List<DaemonStatus> daemons = ((List<?>) require(result, "daemons")).stream()
                    .map(Map.class::cast)
                    .map(daemon -> new DaemonStatus(
                            (String) require(daemon, "name"),
                            (String) require(daemon, "state"),
                            Optional.ofNullable((Number) daemon.get("pid")).map(Number::intValue),
                            (Boolean) require(daemon, "ready"),
                            ((Number) require(daemon, "restarts")).intValue(),
                            Optional.ofNullable((Map<?, ?>) daemon.get("lastExit"))
                                    .map(exit -> (String) exit.get("description"))))
                    .toList();
            return new Status(((Number) require(supervisor, "pid")).intValue(), daemons);
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            throw new AssertionError("unexpected output of virtsup status --json (" + e.getMessage() + "):\n" + json, e);
        }
    }

    private static Object require(Map<?, ?> object, String key) {
        Object value = object.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no \"" + key + "\" in " + object);
        }
        return value;
    }

    DaemonStatus daemon(String name) {
        return daemons.stream().filter(daemon -> daemon.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("virtsup status names no daemon " + name + ": " + this));
    }

    /** The daemon's pid; fails when it has none (not running). */
    int pidOf(String name) {
        DaemonStatus daemon = daemon(name);
        return daemon.pid().orElseThrow(() -> new AssertionError(name + " has no pid: " + daemon));
    }

    boolean allRunningAndReady() {
        return !daemons.isEmpty() && daemons.stream().allMatch(DaemonStatus::runningAndReady);
    }
}

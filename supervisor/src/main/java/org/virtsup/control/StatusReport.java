package org.virtsup.control;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** What {@code virtsup status} shows: virtsup itself and each supervised daemon. */
public record StatusReport(Supervisor supervisor, List<Daemon> daemons) implements Reply {

    public StatusReport {
        Objects.requireNonNull(supervisor, "supervisor");
        daemons = List.copyOf(daemons);
    }

    /**
     * True when every daemon the operator wants up is running and ready: what
     * {@code virtsup status} turns into exit code 0.
     */
    public boolean allWantedRunning() {
        for (Daemon daemon : daemons) {
            if (!daemon.satisfied()) {
                return false;
            }
        }
        return true;
    }

    /** True when every daemon in the report is running and ready, wanted or not. */
    public boolean allRunning() {
        for (Daemon daemon : daemons) {
            if (daemon.state() != DaemonState.RUNNING || !daemon.ready()) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param configFile        the file the running configuration came from; empty for the embedded default
     * @param configMatchesFile false when the file changed since it was loaded (a reload is due)
     * @param reloadProblems    why the last reload was refused (empty once one succeeds)
     */
    public record Supervisor(int pid, long uptimeSeconds, Optional<String> configFile,
                             boolean configMatchesFile, String version, List<String> reloadProblems) {
        public Supervisor {
            Objects.requireNonNull(configFile, "configFile");
            Objects.requireNonNull(version, "version");
            reloadProblems = List.copyOf(reloadProblems);
        }

        /** virtsup with no refused reload. */
        public Supervisor(int pid, long uptimeSeconds, Optional<String> configFile, boolean configMatchesFile,
                          String version) {
            this(pid, uptimeSeconds, configFile, configMatchesFile, version, List.of());
        }
    }

    /**
     * @param lastOutputLines the daemon's last lines of output, filled for a daemon
     *                        that is failing (BACKOFF, FAILED) so the cause is in sight
     */
    public record Daemon(String name, Wanted wanted, DaemonState state, OptionalInt pid,
                         OptionalLong uptimeSeconds, boolean ready, int restarts,
                         Optional<LastExit> lastExit, OptionalLong nextRetryInSeconds,
                         List<String> lastOutputLines, List<String> warnings) {
        public Daemon {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(wanted, "wanted");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(uptimeSeconds, "uptimeSeconds");
            Objects.requireNonNull(lastExit, "lastExit");
            Objects.requireNonNull(nextRetryInSeconds, "nextRetryInSeconds");
            lastOutputLines = List.copyOf(lastOutputLines);
            warnings = List.copyOf(warnings);
        }

        /** Down and not wanted, or running and ready. */
        public boolean satisfied() {
            return wanted == Wanted.DOWN || (state == DaemonState.RUNNING && ready);
        }
    }

    /**
     * How the daemon's previous process ended.
     *
     * @param description e.g. {@code exited with code 1}, {@code killed by signal 9 (SIGKILL)}
     * @param code        the exit code, when it exited
     * @param signal      the signal number, when it was killed
     */
    public record LastExit(String description, OptionalInt code, OptionalInt signal, Instant at) {
        public LastExit {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(signal, "signal");
            Objects.requireNonNull(at, "at");
        }
    }
}

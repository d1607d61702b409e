package org.virtsup.control;

import org.virtsup.supervise.Phase;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** What {@code virtsup status} shows: virtsup itself and each supervised daemon. */
public record StatusReport(Virtsup virtsup, List<Daemon> daemons) implements Reply {

    public StatusReport {
        Objects.requireNonNull(virtsup, "virtsup");
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
            if (daemon.state() != Phase.RUNNING || !daemon.ready()) {
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
    /** @param reexecs how many times virtsup re-executed itself in place since it was started */
    public record Virtsup(int pid, long uptimeSeconds, Optional<String> configFile,
                             boolean configMatchesFile, String version, List<String> reloadProblems, int reexecs) {
        public Virtsup {
            Objects.requireNonNull(configFile, "configFile");
            Objects.requireNonNull(version, "version");
            reloadProblems = List.copyOf(reloadProblems);
        }

        /** virtsup never re-executed. */
        public Virtsup(int pid, long uptimeSeconds, Optional<String> configFile, boolean configMatchesFile,
                       String version, List<String> reloadProblems) {
            this(pid, uptimeSeconds, configFile, configMatchesFile, version, reloadProblems, 0);
        }

        /** virtsup with no refused reload, never re-executed. */
        public Virtsup(int pid, long uptimeSeconds, Optional<String> configFile, boolean configMatchesFile,
                          String version) {
            this(pid, uptimeSeconds, configFile, configMatchesFile, version, List.of());
        }
    }

    /**
     * @param lastOutputLines the daemon's last lines of output, filled for a daemon
     *                        that is failing (BACKOFF, FAILED) so the cause is in sight
     * @param nextRetryAt     when the pending restart is due, in BACKOFF: less the
     *                        {@code lastExit}'s time, the delay chosen for it
     */
    public record Daemon(String name, Wanted wanted, Phase state, OptionalInt pid,
                         OptionalLong uptimeSeconds, boolean ready, int restarts,
                         Optional<LastExit> lastExit, OptionalLong nextRetryInSeconds,
                         List<String> lastOutputLines, List<String> warnings, List<Socket> sockets,
                         Optional<Instant> nextRetryAt) {

        /** Without sockets: a daemon that was handed none. */
        public Daemon(String name, Wanted wanted, Phase state, OptionalInt pid, OptionalLong uptimeSeconds,
                      boolean ready, int restarts, Optional<LastExit> lastExit, OptionalLong nextRetryInSeconds,
                      List<String> lastOutputLines, List<String> warnings) {
            this(name, wanted, state, pid, uptimeSeconds, ready, restarts, lastExit, nextRetryInSeconds,
                    lastOutputLines, warnings, List.of());
        }

        /** Without the time of the next retry. */
        public Daemon(String name, Wanted wanted, Phase state, OptionalInt pid, OptionalLong uptimeSeconds,
                      boolean ready, int restarts, Optional<LastExit> lastExit, OptionalLong nextRetryInSeconds,
                      List<String> lastOutputLines, List<String> warnings, List<Socket> sockets) {
            this(name, wanted, state, pid, uptimeSeconds, ready, restarts, lastExit, nextRetryInSeconds,
                    lastOutputLines, warnings, sockets, Optional.empty());
        }

        public Daemon {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(wanted, "wanted");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(uptimeSeconds, "uptimeSeconds");
            Objects.requireNonNull(lastExit, "lastExit");
            Objects.requireNonNull(nextRetryInSeconds, "nextRetryInSeconds");
            Objects.requireNonNull(nextRetryAt, "nextRetryAt");
            lastOutputLines = List.copyOf(lastOutputLines);
            warnings = List.copyOf(warnings);
            sockets = List.copyOf(sockets);
        }

        public Daemon withSockets(List<Socket> handed) {
            return new Daemon(name, wanted, state, pid, uptimeSeconds, ready, restarts, lastExit, nextRetryInSeconds,
                    lastOutputLines, warnings, handed, nextRetryAt);
        }

        public Daemon withWarnings(List<String> newWarnings) {
            return new Daemon(name, wanted, state, pid, uptimeSeconds, ready, restarts, lastExit, nextRetryInSeconds,
                    lastOutputLines, newWarnings, sockets, nextRetryAt);
        }

        /** Down and not wanted, or running and ready. */
        public boolean satisfied() {
            return wanted == Wanted.DOWN || (state == Phase.RUNNING && ready);
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

    /**
     * A socket virtsup holds and hands to the daemon at every start.
     *
     * @param name      its LISTEN_FDNAMES name ({@code libvirtd-ro.socket})
     * @param address   its path, or host:port
     * @param inode     the socket's inode, as /proc/PID/fd shows it
     * @param listening whether the daemon's current process was seen listening on it
     */
    public record Socket(String name, String address, long inode, boolean listening) {
        public Socket {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
        }
    }
}

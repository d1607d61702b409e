package org.virtsup.supervise;

import java.time.Duration;
import java.util.Objects;

/** What supervision asks the executor to do, in the order given. */
public sealed interface Action {

    /**
     * Start the daemon's program (posix_spawn through the POSIX seam, its own
     * process group, a private NOTIFY_SOCKET). Then, before anything else,
     * feed {@link Event.Spawned} or {@link Event.SpawnFailed}.
     */
    record Spawn(Daemon daemon) implements Action {
        public Spawn {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /**
     * kill(pid, signal): to that pid only, never its process group (libvirtd's
     * guests must outlive it). ESRCH is no error: its exit is on the way.
     */
    record SendSignal(Daemon daemon, int pid, Signal signal) implements Action {
        public SendSignal {
            Objects.requireNonNull(daemon, "daemon");
            Objects.requireNonNull(signal, "signal");
            if (pid <= 0) {
                throw new IllegalArgumentException("signals go to one positive pid, not " + pid);
            }
        }
    }

    /**
     * Feed {@code TimerFired(daemon, kind, generation)} after {@code delay}. A
     * daemon has one timer at a time: this one replaces any earlier one of the
     * daemon, which may be dropped (a stale firing is ignored anyway).
     */
    record ArmTimer(Daemon daemon, TimerKind kind, Duration delay, long generation) implements Action {
        public ArmTimer {
            Objects.requireNonNull(daemon, "daemon");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** The timer of that generation is no longer wanted; dropping it is optional. */
    record CancelTimer(Daemon daemon, long generation) implements Action {
        public CancelTimer {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /** Write to the log (the journal under systemd): these sentences are what users read. */
    record Log(Level level, String message) implements Action {
        public Log {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(message, "message");
        }

        public enum Level {
            DEBUG,
            INFO,
            WARNING,
            ERROR
        }
    }

    /** The operator's command was refused: reply with this reason (the control client exits 1). */
    record Rejected(String reason) implements Action {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Every supervised daemon is, for the first time, where the operator wants it
     * (running and ready, or stopped): tell the init system READY=1. Emitted once.
     */
    record ReportReady() implements Action {}

    /** Shutdown began: tell the init system STOPPING=1. Emitted once. */
    record ReportStopping() implements Action {}

    /** Every daemon is stopped: virtsup exits with {@code code}. The last action ever emitted. */
    record Exit(int code, String reason) implements Action {
        public Exit {
            Objects.requireNonNull(reason, "reason");
        }
    }
}

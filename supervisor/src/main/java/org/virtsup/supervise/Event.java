package org.virtsup.supervise;

import java.util.Objects;
import java.util.Set;

/**
 * Everything that can happen to supervision, from the operator, the init
 * system, the configuration and the processes. The event loop feeds each one
 * to {@link Supervision#on}.
 */
public sealed interface Event {

    // ---- from virtsup itself, the init system and the operator ----

    /** virtsup is up: start every supervised daemon, virtlogd first. Fed once, first. */
    record Boot() implements Event {}

    /** Stop everything in order (libvirtd, then virtlogd), then exit: SIGTERM or SIGINT to virtsup. */
    record Shutdown() implements Event {}

    /**
     * {@code virtsup start NAME}: want it up, with a fresh count of failures; a
     * daemon in BACKOFF or FAILED is started at once.
     */
    record Start(Daemon daemon) implements Event {
        public Start {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /** {@code virtsup stop NAME}: want it down; SIGTERM to its pid, SIGKILL after stop-timeout. */
    record Stop(Daemon daemon) implements Event {
        public Stop {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /**
     * {@code virtsup restart NAME}: stop, then start again, with a fresh count of
     * failures (libvirtd's guests keep running). Not counted in {@code restarts}.
     */
    record Restart(Daemon daemon) implements Event {
        public Restart {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /**
     * {@code virtsup reload NAME}, in place: virtlogd gets SIGUSR1 and re-executes
     * itself keeping its pid; libvirtd gets SIGHUP and reloads its drivers' state.
     */
    record Reload(Daemon daemon) implements Event {
        public Reload {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /** {@code virtsup signal NAME SIG}: send one signal to the daemon's pid, nothing else. */
    record Forward(Daemon daemon, Signal signal) implements Event {
        public Forward {
            Objects.requireNonNull(daemon, "daemon");
            Objects.requireNonNull(signal, "signal");
        }
    }

    /**
     * virtsup re-read its configuration (SIGHUP) and wrote the daemons' files.
     *
     * @param policy     the new supervisor-configuration
     * @param supervised the daemons the new configuration declares: new ones start, missing ones stop
     * @param changed    the daemons whose rendered file differs from the one they run with:
     *                   virtlogd re-executes in place, libvirtd restarts (unchanged: SIGHUP)
     */
    record Reconfigured(Policy policy, Set<Daemon> supervised, Set<Daemon> changed) implements Event {
        public Reconfigured {
            Objects.requireNonNull(policy, "policy");
            supervised = Set.copyOf(supervised);
            changed = Set.copyOf(changed);
        }
    }

    /**
     * A daemon an earlier virtsup started, found still running as the state
     * record says: it is taken over as RUNNING instead of being started. Fed
     * before {@link Boot} only.
     */
    record Adopted(Daemon daemon, int pid, int restarts, boolean child) implements Event {
        public Adopted {
            Objects.requireNonNull(daemon, "daemon");
            if (pid <= 0) {
                throw new IllegalArgumentException("an adopted pid is positive, not " + pid);
            }
            if (restarts < 0) {
                throw new IllegalArgumentException("a restart count is not negative, not " + restarts);
            }
        }

        /** After a crash: no restart count known, and not virtsup's child. */
        public Adopted(Daemon daemon, int pid) {
            this(daemon, pid, 0, false);
        }
    }

    // ---- from the executor, the reaper, the readiness listener and the timers ----

    /** The executor carried out {@link Action.Spawn}: the daemon runs as {@code pid}. */
    record Spawned(Daemon daemon, int pid) implements Event {
        public Spawned {
            Objects.requireNonNull(daemon, "daemon");
            if (pid <= 0) {
                throw new IllegalArgumentException("a spawned pid is positive, not " + pid);
            }
        }
    }

    /**
     * The executor could not carry out {@link Action.Spawn}.
     *
     * @param reason what failed, for the journal: {@code spawn /usr/sbin/libvirtd: ENOENT}
     */
    record SpawnFailed(Daemon daemon, String reason) implements Event {
        public SpawnFailed {
            Objects.requireNonNull(daemon, "daemon");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The daemon's process {@code pid} is ready: READY=1 over sd_notify, or its socket answered. */
    record Ready(Daemon daemon, int pid) implements Event {
        public Ready {
            Objects.requireNonNull(daemon, "daemon");
        }
    }

    /** The reaper collected {@code pid}: a daemon's process, or anything else re-parented to virtsup. */
    record Exited(int pid, Termination termination) implements Event {
        public Exited {
            Objects.requireNonNull(termination, "termination");
        }
    }

    /** A timer armed by {@link Action.ArmTimer} fired; a stale one changes nothing. */
    record TimerFired(Daemon daemon, TimerKind kind, long generation) implements Event {
        public TimerFired {
            Objects.requireNonNull(daemon, "daemon");
            Objects.requireNonNull(kind, "kind");
        }
    }
}

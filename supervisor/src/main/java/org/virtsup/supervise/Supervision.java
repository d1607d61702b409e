package org.virtsup.supervise;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.virtsup.supervise.Action.Log.Level;

/**
 * The state of supervision over both daemons, and its transition function
 * {@link #on}: it routes each event to the daemon it concerns, starts libvirtd
 * only once virtlogd is ready, stops libvirtd before virtlogd, and decides
 * when virtsup exits. Immutable; owned by the event loop.
 *
 * @param policy         the supervisor-configuration in force
 * @param daemons        the state of each daemon, supervised or not
 * @param stage          where virtsup is in its own life
 * @param exitCode       the code {@link Action.Exit} will carry
 * @param exitReason     why virtsup exits, once shutting down
 * @param readyReported  {@link Action.ReportReady} was emitted
 */
public record Supervision(
        Policy policy,
        Map<Daemon, DaemonState> daemons,
        Stage stage,
        int exitCode,
        String exitReason,
        boolean readyReported) {

    /** virtsup's own life. */
    public enum Stage {
        /** Before {@link Event.Boot}: nothing started. */
        NEW,
        /** Keeping the wanted daemons up. */
        SUPERVISING,
        /** Stopping libvirtd, then virtlogd; operator commands are refused. */
        SHUTTING_DOWN,
        /** {@link Action.Exit} was emitted; every later event is ignored. */
        EXITED
    }

    public Supervision {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(exitReason, "exitReason");
        EnumMap<Daemon, DaemonState> copy = new EnumMap<>(Daemon.class);
        copy.putAll(daemons);
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = copy.get(daemon);
            if (state == null || state.daemon() != daemon) {
                throw new IllegalArgumentException("supervision needs the state of " + daemon + ", under its name");
            }
        }
        daemons = java.util.Collections.unmodifiableMap(copy);
    }

    /** Before boot: every daemon STOPPED; {@code supervised} are the ones the configuration declares. */
    public static Supervision initial(Policy policy, Set<Daemon> supervised) {
        Map<Daemon, DaemonState> daemons = new EnumMap<>(Daemon.class);
        for (Daemon daemon : Daemon.values()) {
            daemons.put(daemon, DaemonState.initial(daemon, supervised.contains(daemon)));
        }
        return new Supervision(policy, daemons, Stage.NEW, 0, "", false);
    }

    /** Written out for the reason {@link DaemonState#equals} gives. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Supervision that
                && Objects.equals(policy, that.policy) && Objects.equals(daemons, that.daemons)
                && stage == that.stage && exitCode == that.exitCode && Objects.equals(exitReason, that.exitReason)
                && readyReported == that.readyReported;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, daemons, stage, exitCode, exitReason, readyReported);
    }

    public DaemonState daemon(Daemon daemon) {
        return daemons.get(daemon);
    }

    /** The daemon whose current process is {@code pid}. */
    public Optional<Daemon> daemonWithPid(int pid) {
        if (pid == DaemonState.NO_PID) {
            return Optional.empty();
        }
        return daemons.values().stream().filter(s -> s.pid() == pid).map(DaemonState::daemon).findFirst();
    }

    /**
     * Whether {@code daemon} may be spawned now: libvirtd waits while virtlogd is
     * supervised and wanted up but not ready; virtlogd never waits.
     */
    public boolean mayStart(Daemon daemon) {
        if (daemon == Daemon.VIRTLOGD) {
            return true;
        }
        DaemonState virtlogd = daemon(Daemon.VIRTLOGD);
        return !virtlogd.supervised() || virtlogd.goal() == Goal.DOWN || virtlogd.phase() == Phase.RUNNING;
    }

    /** The transition on {@code event} at {@code now}: the next state and what to do, in order. */
    public Step on(Event event, Instant now) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(now, "now");
        Run run = new Run(this, now);
        run.handle(event);
        run.settle();
        return new Step(run.build(), run.actions);
    }

    /** One event's worth of changes, applied to copies. */
    private static final class Run {
        private Policy policy;
        private final Map<Daemon, DaemonState> daemons;
        private Stage stage;
        private int exitCode;
        private String exitReason;
        private boolean readyReported;
        private final Instant now;
        private final List<Action> actions = new ArrayList<>();

        Run(Supervision from, Instant now) {
            this.policy = from.policy;
            this.daemons = new EnumMap<>(from.daemons);
            this.stage = from.stage;
            this.exitCode = from.exitCode;
            this.exitReason = from.exitReason;
            this.readyReported = from.readyReported;
            this.now = now;
        }

        Supervision build() {
            return new Supervision(policy, daemons, stage, exitCode, exitReason, readyReported);
        }

        private Supervision current() {
            return build();
        }

        void handle(Event event) {
            if (stage == Stage.EXITED) {
                log(Level.DEBUG, "virtsup is exiting; ignored " + event);
                return;
            }
            if (event instanceof Event.Boot) {
                if (stage != Stage.NEW) {
                    reject("virtsup has already started its daemons");
                    return;
                }
                stage = Stage.SUPERVISING;
                for (Daemon daemon : Daemon.values()) { // virtlogd first
                    if (daemons.get(daemon).supervised()) {
                        feed(daemon, new Lifecycle.Start());
                    }
                }
            } else if (event instanceof Event.Adopted adopted) {
                if (stage != Stage.NEW) {
                    reject("a running daemon is adopted only before virtsup starts its daemons");
                } else if (supervisedOrReject(adopted.daemon())) {
                    feed(adopted.daemon(), new Lifecycle.Adopt(adopted.pid(), adopted.restarts(), adopted.child()));
                }
            } else if (event instanceof Event.Shutdown) {
                if (stage == Stage.SHUTTING_DOWN) {
                    log(Level.INFO, "already shutting down");
                } else {
                    beginShutdown(0, "shutdown requested");
                }
            } else if (event instanceof Event.Start start) {
                command(start.daemon(), new Lifecycle.Start());
            } else if (event instanceof Event.Stop stop) {
                command(stop.daemon(), new Lifecycle.Stop());
            } else if (event instanceof Event.Restart restart) {
                command(restart.daemon(), new Lifecycle.Restart());
            } else if (event instanceof Event.Reload reload) {
                command(reload.daemon(), new Lifecycle.Reload());
            } else if (event instanceof Event.Forward forward) {
                // Allowed while shutting down too: an operator may hurry a slow stop along.
                if (supervisedOrReject(forward.daemon())) {
                    feed(forward.daemon(), new Lifecycle.Forward(forward.signal()));
                }
            } else if (event instanceof Event.Reconfigured reconfigured) {
                reconfigure(reconfigured);
            } else if (event instanceof Event.Spawned spawned) {
                feed(spawned.daemon(), new Lifecycle.Spawned(spawned.pid()));
            } else if (event instanceof Event.SpawnFailed failed) {
                feed(failed.daemon(), new Lifecycle.SpawnFailed(failed.reason()));
            } else if (event instanceof Event.Ready ready) {
                feed(ready.daemon(), new Lifecycle.Ready(ready.pid()));
            } else if (event instanceof Event.TimerFired fired) {
                feed(fired.daemon(), new Lifecycle.TimerFired(fired.kind(), fired.generation()));
            } else if (event instanceof Event.Exited exited) {
                Optional<Daemon> daemon = current().daemonWithPid(exited.pid());
                if (daemon.isPresent()) {
                    feed(daemon.get(), new Lifecycle.Exited(exited.pid(), exited.termination()));
                } else {
                    // An orphan re-parented to virtsup (as PID 1 or subreaper), a guest's QEMU: reaped, not ours.
                    log(Level.DEBUG, "reaped pid " + exited.pid() + ", which is not a supervised daemon: "
                            + exited.termination().describe());
                }
            } else {
                throw new AssertionError(event);
            }
        }

        /** After the event: start what waited, report readiness, stop in order, exit; until nothing moves. */
        void settle() {
            for (int pass = 0; ; pass++) {
                Supervision before = build();
                settleOnce();
                if (build().equals(before)) {
                    return;
                }
                if (pass == 10) {
                    // Each pass only moves forward (start, stop, exit), so this is a bug, not a state to live in.
                    throw new IllegalStateException("supervision does not settle: " + build());
                }
            }
        }

        private void settleOnce() {
            if (stage == Stage.SUPERVISING) {
                Optional<DaemonState> failed = daemons.values().stream()
                        .filter(s -> s.supervised() && s.phase() == Phase.FAILED).findFirst();
                if (policy.exitOnFailure() && failed.isPresent()) {
                    beginShutdown(1, failed.get().daemon() + " failed and exit-on-failure? is set");
                    return;
                }
                DaemonState libvirtd = daemons.get(Daemon.LIBVIRTD);
                if (libvirtd.supervised() && libvirtd.goal() == Goal.UP && libvirtd.phase() == Phase.STOPPED
                        && current().mayStart(Daemon.LIBVIRTD)) {
                    feed(Daemon.LIBVIRTD, new Lifecycle.StartNow());
                }
                if (!readyReported && daemons.values().stream()
                        .filter(DaemonState::supervised).allMatch(Run::settled)) {
                    readyReported = true;
                    actions.add(new Action.ReportReady());
                    log(Level.INFO, "ready: " + summary());
                }
            }
            if (stage == Stage.SHUTTING_DOWN) {
                if (unstopped(Daemon.LIBVIRTD)) {
                    feed(Daemon.LIBVIRTD, new Lifecycle.Stop());
                }
                if (daemons.get(Daemon.LIBVIRTD).phase().atRest() && unstopped(Daemon.VIRTLOGD)) {
                    feed(Daemon.VIRTLOGD, new Lifecycle.Stop());
                }
                if (daemons.values().stream().allMatch(s -> s.phase().atRest())) {
                    stage = Stage.EXITED;
                    actions.add(new Action.Exit(exitCode, exitReason));
                    log(exitCode == 0 ? Level.INFO : Level.ERROR,
                            "every daemon is down; exiting with code " + exitCode + " (" + exitReason + ")");
                }
            }
        }

        private void beginShutdown(int code, String reason) {
            stage = Stage.SHUTTING_DOWN;
            exitCode = code;
            exitReason = reason;
            log(code == 0 ? Level.INFO : Level.ERROR, reason + ": stopping libvirtd, then virtlogd");
            actions.add(new Action.ReportStopping());
            // Nothing is restarted from now on; settle() sends the SIGTERMs in order.
            feed(Daemon.LIBVIRTD, new Lifecycle.Hold());
            feed(Daemon.VIRTLOGD, new Lifecycle.Hold());
        }

        /** Where the operator wants it: running and ready, or stopped. */
        private static boolean settled(DaemonState state) {
            return state.goal() == Goal.UP ? state.ready() : state.phase().atRest();
        }

        /** A process that was not told to stop yet (one still being spawned is stopped once its pid is known). */
        private boolean unstopped(Daemon daemon) {
            DaemonState state = daemons.get(daemon);
            return state.phase() == Phase.RUNNING || (state.phase() == Phase.STARTING && state.hasPid());
        }

        private void command(Daemon daemon, Lifecycle.Input input) {
            if (stage == Stage.NEW) {
                reject("virtsup has not started its daemons yet");
            } else if (stage == Stage.SHUTTING_DOWN) {
                reject("virtsup is shutting down");
            } else if (supervisedOrReject(daemon)) {
                feed(daemon, input);
            }
        }

        private boolean supervisedOrReject(Daemon daemon) {
            if (daemons.get(daemon).supervised()) {
                return true;
            }
            reject(daemon + " is not supervised: the configuration declares no " + daemon.serviceType());
            return false;
        }

        private void reconfigure(Event.Reconfigured reconfigured) {
            if (stage == Stage.SHUTTING_DOWN) {
                reject("virtsup is shutting down; the new configuration is not applied");
                return;
            }
            policy = reconfigured.policy();
            boolean live = stage == Stage.SUPERVISING;
            // Removals first, libvirtd before virtlogd, as at shutdown.
            for (Daemon daemon : new Daemon[] {Daemon.LIBVIRTD, Daemon.VIRTLOGD}) {
                DaemonState state = daemons.get(daemon);
                if (state.supervised() && !reconfigured.supervised().contains(daemon)) {
                    daemons.put(daemon, state.withSupervised(false));
                    if (live) {
                        log(Level.INFO, daemon + " is no longer in the configuration (no " + daemon.serviceType()
                                + "); stopping it");
                        feed(daemon, new Lifecycle.Stop());
                    }
                }
            }
            for (Daemon daemon : Daemon.values()) {
                DaemonState state = daemons.get(daemon);
                boolean wanted = reconfigured.supervised().contains(daemon);
                if (!state.supervised() && wanted) {
                    daemons.put(daemon, state.withSupervised(true));
                    if (live) {
                        log(Level.INFO, daemon + " is now in the configuration (" + daemon.serviceType()
                                + "); starting it");
                        feed(daemon, new Lifecycle.Start());
                    }
                } else if (state.supervised() && wanted && live) {
                    feed(daemon, new Lifecycle.Reconfigure(reconfigured.changed().contains(daemon)));
                }
            }
        }

        private void feed(Daemon daemon, Lifecycle.Input input) {
            Lifecycle.Transition transition =
                    Lifecycle.next(daemons.get(daemon), input, policy, current().mayStart(daemon), now);
            daemons.put(daemon, transition.state());
            actions.addAll(transition.actions());
        }

        private String summary() {
            StringBuilder text = new StringBuilder();
            for (DaemonState state : daemons.values()) {
                if (state.supervised()) {
                    text.append(text.length() == 0 ? "" : ", ").append(Phrases.process(state.daemon(), state.pid()));
                }
            }
            return text.length() == 0 ? "no daemon is supervised" : text + " running";
        }

        private void log(Level level, String message) {
            actions.add(new Action.Log(level, message));
        }

        private void reject(String reason) {
            actions.add(new Action.Rejected(reason));
        }
    }
}

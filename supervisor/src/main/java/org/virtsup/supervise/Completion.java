package org.virtsup.supervise;

import java.util.Objects;
import java.util.Optional;

/**
 * When an operator's command is done, judged from supervision states alone, so
 * that the control server can answer at the right moment: start and restart
 * once the (new) process is ready, stop once it exited, virtlogd's reload once
 * it said READY=1 again with the same pid; signals at once. A refusal, a failed
 * start, or a contrary command meanwhile make it fail with the reason.
 *
 * <p>Use: feed the command, then {@code Completion.of(command, before, step)};
 * judge it against every later supervision state until it is no longer
 * {@link Verdict.Pending}. How long to wait is the caller's choice.
 */
public final class Completion {

    /** Where a command stands. */
    public sealed interface Verdict {
        /** Not yet. */
        record Pending() implements Verdict {}

        /** Done; the message says how it ended ({@code libvirtd is running (pid 123)}). */
        record Done(String message) implements Verdict {
            public Done {
                Objects.requireNonNull(message, "message");
            }
        }

        /** It did not happen; the reason says why, for the operator. */
        record Failed(String reason) implements Verdict {
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    private final Event command;
    private final Optional<DaemonState> before;
    private final Optional<String> refusal;
    /** Both daemons before the command: a reconfiguration may touch either. */
    private final Supervision beforeAll;

    private Completion(Event command, Optional<DaemonState> before, Optional<String> refusal, Supervision beforeAll) {
        this.command = command;
        this.before = before;
        this.refusal = refusal;
        this.beforeAll = beforeAll;
    }

    /**
     * Starts following {@code command}, which was fed to {@code before} and gave {@code step}.
     */
    public static Completion of(Event command, Supervision before, Step step) {
        return new Completion(command, daemonOf(command).map(before::daemon), step.rejection(), before);
    }

    /** Where the command stands in {@code now}, a state at or after the command's step. */
    public Verdict judge(Supervision now) {
        if (refusal.isPresent()) {
            return new Verdict.Failed(refusal.get());
        }
        if (command instanceof Event.Reconfigured) {
            return settled(beforeAll, now);
        }
        if (before.isEmpty()) {
            return new Verdict.Done("done");
        }
        DaemonState was = before.get();
        DaemonState is = now.daemon(was.daemon());
        if (command instanceof Event.Start || command instanceof Event.Restart) {
            return started(was, is, command instanceof Event.Restart, now.stage());
        }
        if (command instanceof Event.Stop) {
            return stopped(is);
        }
        if (command instanceof Event.Reload && was.daemon() == Daemon.VIRTLOGD) {
            return reexecuted(was, is);
        }
        // libvirtd's SIGHUP and forwarded signals take no time to follow.
        return new Verdict.Done("signal sent to " + Phrases.process(was.daemon(), was.pid()));
    }

    private static Verdict started(DaemonState was, DaemonState is, boolean restart, Supervision.Stage stage) {
        if (is.failedStarts() > was.failedStarts()) {
            return new Verdict.Failed(is.problem().orElse(is.daemon() + " failed to start"));
        }
        boolean fresh = !restart || is.pid() != was.pid() || !was.hasPid();
        if (is.phase() == Phase.RUNNING && fresh) {
            return new Verdict.Done(Phrases.process(is.daemon(), is.pid()) + " is running");
        }
        if (is.goal() == Goal.DOWN || stage != Supervision.Stage.SUPERVISING) {
            return new Verdict.Failed(is.daemon() + " was stopped before it was ready");
        }
        return new Verdict.Pending();
    }

    /**
     * A new configuration has settled once no daemon is on its way anywhere
     * (starting, restarting, re-executing, in backoff): then each daemon wanted
     * up is running, or the verdict says which one is not. A start that fails
     * meanwhile fails it. A daemon that cannot start (libvirtd while virtlogd
     * is stopped on request) does not hold it, so that the init system gets
     * its READY=1 and the operator an answer.
     */
    private static Verdict settled(Supervision was, Supervision now) {
        boolean moving = false;
        Optional<DaemonState> notUp = Optional.empty();
        for (Daemon daemon : Daemon.values()) {
            DaemonState before = was.daemon(daemon);
            DaemonState is = now.daemon(daemon);
            if (is.failedStarts() > before.failedStarts()) {
                return new Verdict.Failed(is.problem().orElse(daemon + " failed to start"));
            }
            if (!is.supervised()) {
                continue;
            }
            moving |= is.phase() == Phase.STARTING || is.phase() == Phase.BACKOFF || is.reexecPending()
                    || (is.phase() == Phase.STOPPING && is.goal() == Goal.UP);
            if (is.goal() == Goal.UP && is.phase() != Phase.RUNNING && notUp.isEmpty()) {
                notUp = Optional.of(is);
            }
        }
        if (now.stage() == Supervision.Stage.SHUTTING_DOWN || now.stage() == Supervision.Stage.EXITED) {
            return new Verdict.Failed("virtsup began to stop before the daemons were ready");
        }
        if (now.stage() == Supervision.Stage.NEW) {
            return new Verdict.Done("taken before the daemons start"); // booting starts them with it
        }
        if (moving) {
            return new Verdict.Pending();
        }
        return notUp.<Verdict>map(is -> new Verdict.Failed(is.daemon() + " is not running ("
                + is.phase().name().toLowerCase(java.util.Locale.ROOT) + ")"
                + (is.daemon() == Daemon.LIBVIRTD ? ": it starts once virtlogd runs" : "")))
                .orElse(new Verdict.Done("every daemon is ready"));
    }

    private static Verdict stopped(DaemonState is) {
        if (is.phase().atRest()) {
            return new Verdict.Done(is.daemon() + " is stopped");
        }
        if (is.goal() == Goal.UP) {
            return new Verdict.Failed(is.daemon() + " was started again before it stopped");
        }
        return new Verdict.Pending();
    }

    private static Verdict reexecuted(DaemonState was, DaemonState is) {
        if (is.pid() != was.pid() || is.phase() != Phase.RUNNING) {
            return new Verdict.Failed(is.problem().orElse(
                    Phrases.process(was.daemon(), was.pid()) + " did not come back from re-executing itself"));
        }
        if (!is.reexecPending()) {
            return new Verdict.Done(Phrases.process(is.daemon(), is.pid())
                    + " re-executed itself and re-read its configuration");
        }
        return new Verdict.Pending();
    }

    private static Optional<Daemon> daemonOf(Event command) {
        if (command instanceof Event.Start start) {
            return Optional.of(start.daemon());
        } else if (command instanceof Event.Stop stop) {
            return Optional.of(stop.daemon());
        } else if (command instanceof Event.Restart restart) {
            return Optional.of(restart.daemon());
        } else if (command instanceof Event.Reload reload) {
            return Optional.of(reload.daemon());
        } else if (command instanceof Event.Forward forward) {
            return Optional.of(forward.daemon());
        }
        return Optional.empty();
    }
}

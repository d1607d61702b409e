package org.virtsup.run;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.virtsup.control.ControlHandler;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Peer;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Signal;

/**
 * The control socket's requests, carried out on the event loop. Commands that
 * change a daemon reply once it got where it was sent (running and ready,
 * stopped, re-executed with the same pid) or failed to, with the reason.
 */
final class ControlBridge implements ControlHandler {
    private final Supervisor supervisor;
    private final Function<Optional<Daemon>, Reply> status;
    private final Supplier<Reply> reload;

    ControlBridge(Supervisor supervisor, Function<Optional<Daemon>, Reply> status, Supplier<Reply> reload) {
        this.supervisor = supervisor;
        this.status = status;
        this.reload = reload;
    }

    @Override
    public CompletableFuture<Reply> handle(Request request, Peer peer) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        supervisor.post(() -> {
            try {
                dispatch(request, reply);
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
        return reply;
    }

    private void dispatch(Request request, CompletableFuture<Reply> reply) {
        if (request instanceof Request.Status s) {
            named(s.name(), reply).ifPresent(only -> reply.complete(status.apply(only)));
        } else if (request instanceof Request.Log l) {
            daemon(l.name(), reply).ifPresent(d ->
                    reply.complete(new Reply.LogOutput(d.programName(), supervisor.tail(d).last(l.lines()))));
        } else if (request instanceof Request.Start s) {
            daemon(s.name(), reply).ifPresent(d -> start(d, new Event.Start(d), reply));
        } else if (request instanceof Request.Restart r) {
            daemon(r.name(), reply).ifPresent(d -> start(d, new Event.Restart(d), reply));
        } else if (request instanceof Request.Stop s) {
            daemon(s.name(), reply).ifPresent(d -> stop(d, reply));
        } else if (request instanceof Request.Reload r) {
            if (r.name().isEmpty()) {
                reply.complete(reload.get());
            } else {
                daemon(r.name().get(), reply).ifPresent(d -> reloadInPlace(d, reply));
            }
        } else if (request instanceof Request.Signal s) {
            daemon(s.name(), reply).ifPresent(d -> forward(d, s.signal().number(), reply));
        } else {
            reply.complete(new Reply.Failure(ErrorCode.UNKNOWN_COMMAND, "unknown request " + request.command()));
        }
    }

    private void start(Daemon daemon, Event event, CompletableFuture<Reply> reply) {
        int before = state(daemon).pid();
        boolean restart = event instanceof Event.Restart;
        if (rejected(supervisor.feed(event), reply)) {
            return;
        }
        int failuresAtRequest = state(daemon).consecutiveFailures();
        supervisor.await(new Supervisor.Waiter(s -> {
            DaemonState st = s.daemon(daemon);
            boolean up = st.phase() == Phase.RUNNING && st.readyAt().isPresent() && (!restart || st.pid() != before);
            return up || failedSince(st, failuresAtRequest) || st.goal() == org.virtsup.supervise.Goal.DOWN;
        }, s -> {
            DaemonState st = s.daemon(daemon);
            if (st.phase() == Phase.RUNNING && st.readyAt().isPresent()) {
                reply.complete(outcome(st, daemon + " is running (pid " + st.pid() + ")", List.of()));
            } else if (st.goal() == org.virtsup.supervise.Goal.DOWN) {
                reply.complete(new Reply.Failure(ErrorCode.FAILED, daemon + " was stopped before it became ready"));
            } else {
                reply.complete(new Reply.Failure(ErrorCode.FAILED, daemon + " did not start: "
                        + st.problem().orElse(st.lastExit().map(e -> e.termination().describe()).orElse("unknown cause"))
                        + lastLines(daemon)));
            }
        }));
    }

    private static boolean failedSince(DaemonState state, int failuresAtRequest) {
        return state.phase() == Phase.FAILED
                || (state.phase() == Phase.BACKOFF && state.consecutiveFailures() > failuresAtRequest);
    }

    private void stop(Daemon daemon, CompletableFuture<Reply> reply) {
        List<String> warnings = daemon == Daemon.VIRTLOGD && state(Daemon.LIBVIRTD).phase() == Phase.RUNNING
                ? List.of("libvirtd keeps running without virtlogd: running guests' console logs are no longer"
                        + " written and new guests cannot start until 'virtsup start virtlogd'")
                : List.of();
        if (rejected(supervisor.feed(new Event.Stop(daemon)), reply)) {
            return;
        }
        // A start that comes before the daemon is down supersedes this stop, as a stop supersedes a start.
        supervisor.await(new Supervisor.Waiter(s -> s.daemon(daemon).phase().atRest()
                || s.daemon(daemon).goal() == org.virtsup.supervise.Goal.UP, s -> {
                    DaemonState st = s.daemon(daemon);
                    if (st.phase().atRest()) {
                        reply.complete(outcome(st, daemon + " is stopped", warnings));
                    } else {
                        reply.complete(new Reply.Failure(ErrorCode.FAILED, daemon
                                + " was started again before it stopped"));
                    }
                }));
    }

    private void reloadInPlace(Daemon daemon, CompletableFuture<Reply> reply) {
        int pid = state(daemon).pid();
        if (rejected(supervisor.feed(new Event.Reload(daemon)), reply)) {
            return;
        }
        if (daemon == Daemon.LIBVIRTD) {
            reply.complete(outcome(state(daemon), "sent SIGHUP to libvirtd (pid " + pid + "): it reloads its drivers'"
                    + " state; a changed libvirtd.conf needs 'virtsup restart libvirtd'", List.of()));
            return;
        }
        supervisor.await(new Supervisor.Waiter(s -> !s.daemon(daemon).reexecPending()
                || s.daemon(daemon).pid() != pid, s -> {
                    DaemonState st = s.daemon(daemon);
                    if (st.pid() == pid && st.phase() == Phase.RUNNING) {
                        reply.complete(outcome(st, "virtlogd re-executed itself in place and is ready (pid " + pid
                                + " kept)", List.of()));
                    } else {
                        reply.complete(new Reply.Failure(ErrorCode.FAILED, "virtlogd (pid " + pid
                                + ") did not come back from re-executing itself: " + st.lastExit()
                                .map(e -> e.termination().describe()).orElse("its pid changed") + lastLines(daemon)));
                    }
                }));
    }

    private void forward(Daemon daemon, int number, CompletableFuture<Reply> reply) {
        Optional<Signal> signal = Signal.ofNumber(number);
        if (signal.isEmpty()) {
            reply.complete(new Reply.Failure(ErrorCode.BAD_REQUEST, "signal " + number + " has no name virtsup knows"));
            return;
        }
        int pid = state(daemon).pid();
        if (rejected(supervisor.feed(new Event.Forward(daemon, signal.get())), reply)) {
            return;
        }
        reply.complete(outcome(state(daemon), "sent " + signal.get().fullName() + " to " + daemon + " (pid " + pid
                + ")", List.of()));
    }

    private boolean rejected(Optional<String> reason, CompletableFuture<Reply> reply) {
        reason.ifPresent(r -> reply.complete(new Reply.Failure(ErrorCode.FAILED, r)));
        return reason.isPresent();
    }

    private String lastLines(Daemon daemon) {
        List<String> last = supervisor.tail(daemon).last(Supervisor.LAST_LINES_ON_EXIT);
        return last.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", last);
    }

    private DaemonState state(Daemon daemon) {
        return supervisor.state().daemon(daemon);
    }

    private static Reply outcome(DaemonState state, String message, List<String> warnings) {
        return new Reply.ActionOutcome(Optional.of(state.daemon().programName()),
                Optional.of(org.virtsup.control.DaemonState.valueOf(state.phase().name())),
                state.pid() == DaemonState.NO_PID ? OptionalInt.empty() : OptionalInt.of(state.pid()),
                message, warnings);
    }

    /** The daemon an operator named; replies NO_SUCH_DAEMON when there is none. */
    private Optional<Daemon> daemon(String name, CompletableFuture<Reply> reply) {
        Optional<Daemon> daemon = Daemon.named(name);
        if (daemon.isEmpty()) {
            reply.complete(new Reply.Failure(ErrorCode.NO_SUCH_DAEMON,
                    "no daemon named '" + name + "': virtsup supervises virtlogd and libvirtd"));
        }
        return daemon;
    }

    private Optional<Optional<Daemon>> named(Optional<String> name, CompletableFuture<Reply> reply) {
        if (name.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        return daemon(name.get(), reply).map(Optional::of);
    }

}

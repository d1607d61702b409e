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
import org.virtsup.supervise.Completion;
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
    private final SupervisionExecutor supervisor;
    private final Function<Optional<Daemon>, Reply> status;
    private final Supplier<CompletableFuture<Reply>> reload;
    private final Supplier<CompletableFuture<Reply>> reexec;

    ControlBridge(SupervisionExecutor supervisor, Function<Optional<Daemon>, Reply> status,
                  Supplier<CompletableFuture<Reply>> reload, Supplier<CompletableFuture<Reply>> reexec) {
        this.supervisor = supervisor;
        this.status = status;
        this.reload = reload;
        this.reexec = reexec;
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
        request.handledBy(new Request.Handlers<Void>() {
            @Override
            public Void status(Request.Status status) {
                named(status.name(), reply).ifPresent(only -> reply.complete(ControlBridge.this.status.apply(only)));
                return null;
            }

            @Override
            public Void log(Request.Log log) {
                daemon(log.name(), reply).ifPresent(d ->
                        reply.complete(new Reply.LogOutput(d.programName(), supervisor.tail(d).last(log.lines()))));
                return null;
            }

            @Override
            public Void start(Request.Start start) {
                daemon(start.name(), reply).ifPresent(d -> follow(d, new Event.Start(d), List.of(), reply));
                return null;
            }

            @Override
            public Void restart(Request.Restart restart) {
                daemon(restart.name(), reply).ifPresent(d -> follow(d, new Event.Restart(d), List.of(), reply));
                return null;
            }

            @Override
            public Void stop(Request.Stop stop) {
                daemon(stop.name(), reply).ifPresent(d -> ControlBridge.this.stop(d, reply));
                return null;
            }

            @Override
            public Void reload(Request.Reload reload) {
                if (reload.name().isEmpty()) {
                    ControlBridge.this.reload.get().thenAccept(reply::complete);
                } else {
                    daemon(reload.name().get(), reply).ifPresent(d -> reloadInPlace(d, reply));
                }
                return null;
            }

            @Override
            public Void reexec(Request.Reexec request) {
                reexec.get().thenAccept(reply::complete);
                return null;
            }

            @Override
            public Void signal(Request.Signal signal) {
                daemon(signal.name(), reply).ifPresent(d ->
                        follow(d, new Event.Forward(d, signal.signal()), List.of(), reply));
                return null;
            }
        });
    }

    /** Feeds the command and replies once it is done or failed, with the daemon's state then. */
    private void follow(Daemon daemon, Event command, List<String> warnings, CompletableFuture<Reply> reply) {
        Runnable forget = supervisor.command(command, verdict -> {
            if (verdict instanceof Completion.Verdict.Done done) {
                String message = command instanceof Event.Forward forward
                        ? "sent " + forward.signal().fullName() + " to " + daemon + " (pid " + state(daemon).pid() + ")"
                        : done.message();
                reply.complete(outcome(state(daemon), message, warnings));
            } else {
                reply.complete(new Reply.Failure(ErrorCode.FAILED,
                        ((Completion.Verdict.Failed) verdict).reason() + lastLinesIfFailing(daemon)));
            }
        });
        // A client that went away (or gave up waiting) cancels its reply: nobody waits for the verdict.
        reply.whenComplete((answer, failure) -> {
            if (reply.isCancelled()) {
                supervisor.post(forget);
            }
        });
    }

    private void stop(Daemon daemon, CompletableFuture<Reply> reply) {
        List<String> warnings = daemon == Daemon.VIRTLOGD && state(Daemon.LIBVIRTD).phase() == Phase.RUNNING
                ? List.of("libvirtd keeps running without virtlogd: running guests' console logs are no longer"
                        + " written and new guests cannot start until 'virtsup start virtlogd'")
                : List.of();
        follow(daemon, new Event.Stop(daemon), warnings, reply);
    }

    private void reloadInPlace(Daemon daemon, CompletableFuture<Reply> reply) {
        List<String> notes = daemon == Daemon.LIBVIRTD
                ? List.of("libvirtd reloads its drivers' state on SIGHUP but does not re-read libvirtd.conf;"
                        + " a changed libvirtd.conf needs 'virtsup reload' or 'virtsup restart libvirtd'")
                : List.of();
        follow(daemon, new Event.Reload(daemon), notes, reply);
    }

    /** A failed start's reason is best read with the daemon's own last words. */
    private String lastLinesIfFailing(Daemon daemon) {
        if (!state(daemon).failing()) {
            return "";
        }
        List<String> last = supervisor.tail(daemon).lastWords();
        return last.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", last);
    }

    private DaemonState state(Daemon daemon) {
        return supervisor.state().daemon(daemon);
    }

    private static Reply outcome(DaemonState state, String message, List<String> warnings) {
        return new Reply.ActionOutcome(Optional.of(state.daemon().programName()),
                Optional.of(state.phase()),
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

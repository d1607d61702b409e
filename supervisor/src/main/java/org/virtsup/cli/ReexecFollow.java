package org.virtsup.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.virtsup.control.ControlClient;
import org.virtsup.control.ControlProtocol;
import org.virtsup.control.ControlUnreachableException;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.ProtocolException;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.virtsup.control.StatusReport;

/**
 * {@code virtsup reexec}: asks for the re-exec, then follows it through to
 * its end, which no reply can report: the virtsup that answered is gone once
 * it is done. Done is when status answers again with one more re-execution
 * counted and every wanted daemon ready. The old virtsup may close the
 * connection before its reply is out (the exec closes it); that is the
 * re-exec under way too, and the status says whether it happened.
 */
final class ReexecFollow {
    /** Long enough for a JVM to start on a loaded host and adopt its daemons. */
    static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final long POLL_MILLIS = 100;

    private final Path socket;
    private final Duration patience;
    private final Duration callTimeout;
    private final PrintStream out;
    private final PrintStream err;

    ReexecFollow(Path socket, Duration patience, Duration callTimeout, PrintStream out, PrintStream err) {
        this.socket = socket;
        this.patience = patience;
        this.callTimeout = callTimeout;
        this.out = out;
        this.err = err;
    }

    int run(boolean json) {
        long started = System.nanoTime();
        StatusReport before;
        try {
            before = status();
        } catch (ControlUnreachableException e) {
            err.println("virtsup reexec: " + e.getMessage());
            return ExitCode.UNREACHABLE;
        } catch (ProtocolException e) {
            err.println("virtsup reexec: " + e.getMessage());
            return ExitCode.FAILURE;
        }
        Optional<String> lostReply = Optional.empty();
        try {
            Reply reply = new ControlClient(socket, patience).call(new Request.Reexec());
            if (reply instanceof Reply.Failure failure && failure.code() == ErrorCode.UNKNOWN_COMMAND) {
                err.println("virtsup reexec: the running virtsup (version " + before.virtsup().version() + ") cannot"
                        + " re-execute itself; restarting it takes up the installed version (under systemd:"
                        + " systemctl restart virtsup), at the cost of restarting libvirtd and virtlogd (guests keep"
                        + " running)");
                return ExitCode.FAILURE;
            }
            if (reply instanceof Reply.Failure failure) {
                err.println("virtsup reexec: " + failure.message());
                return ControlCommands.exitCode(new Request.Reexec(), reply);
            }
            if (reply instanceof Reply.ActionOutcome outcome && !json) {
                out.println(outcome.message());
            }
        } catch (ControlUnreachableException | ProtocolException e) {
            lostReply = Optional.of(e.getMessage()); // the exec may have closed the connection first
        }
        long deadline = started + patience.toNanos();
        StatusReport last = null;
        while (System.nanoTime() < deadline) {
            try {
                StatusReport now = status();
                if (now.virtsup().reexecs() > before.virtsup().reexecs()) {
                    last = now;
                    if (now.allWantedRunning()) {
                        report(before, now, System.nanoTime() - started, json);
                        return ExitCode.OK;
                    }
                }
            } catch (ControlUnreachableException | ProtocolException e) {
                // Not back yet: the new JVM starts, or answers the connections that waited first.
            }
            pause();
        }
        if (last != null) {
            err.println("virtsup reexec: virtsup re-executed (version " + last.virtsup().version() + "), but not"
                    + " every wanted daemon was ready within " + patience.toSeconds() + " s; see 'virtsup status'");
            return ExitCode.NOT_RUNNING;
        }
        err.println("virtsup reexec: virtsup did not re-execute within " + patience.toSeconds() + " s"
                + lostReply.map(reason -> " (" + reason + ")").orElse("") + "; see its log");
        return ExitCode.FAILURE;
    }

    private StatusReport status() throws ControlUnreachableException, ProtocolException {
        Reply reply = new ControlClient(socket, callTimeout).call(new Request.Status(Optional.empty()));
        if (reply instanceof StatusReport report) {
            return report;
        }
        throw new ProtocolException(ErrorCode.INTERNAL, "status answered with " + reply);
    }

    private void report(StatusReport before, StatusReport after, long nanos, boolean json) {
        if (json) {
            out.println(ControlProtocol.write(ControlProtocol.replyToWire(after)));
            return;
        }
        String daemons = after.daemons().stream().filter(d -> d.pid().isPresent())
                .map(d -> d.name() + " pid " + d.pid().getAsInt()).collect(Collectors.joining(", "));
        out.printf("virtsup re-executed in place in %.1f s: pid %d%s, version %s%s%n", nanos / 1e9,
                after.virtsup().pid(), after.virtsup().pid() == before.virtsup().pid() ? " (unchanged)" : "",
                after.virtsup().version(), daemons.isEmpty() ? "" : "; " + daemons);
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package org.virtsup.control;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request line from an identified peer into its reply: decodes it,
 * refuses what the peer may not ask, passes the rest to the
 * {@link ControlHandler} and waits for its answer within the reply timeout.
 * Whatever goes wrong becomes an error reply, never an exception.
 */
final class ControlDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final ControlServerSettings settings;
    private final ControlHandler handler;

    ControlDispatch(ControlServerSettings settings, ControlHandler handler) {
        this.settings = settings;
        this.handler = handler;
    }

    /** {@code closing}: the server is shutting down; nothing more reaches the handler. */
    Reply answer(String line, Peer peer, boolean closing) {
        Request request;
        try {
            request = ControlProtocol.decodeRequest(line);
        } catch (ProtocolException e) {
            return new Reply.Failure(e.code(), e.getMessage());
        }
        if (request.mutating()) {
            if (!peer.privileged()) {
                LOG.warn("control: refused {} from {}: not privileged", describe(request), peer);
                return new Reply.Failure(ErrorCode.PERMISSION_DENIED, request.command()
                        + " needs uid 0 or membership in the control group '" + settings.controlGroup()
                        + "' (gid " + settings.controlGid() + "); you are uid " + peer.uid()
                        + ". Unprivileged users may use status and log.");
            }
            LOG.info("control: {} requested by {}", describe(request), peer);
        }
        if (closing) {
            return new Reply.Failure(ErrorCode.SHUTTING_DOWN, "virtsup is shutting down");
        }
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        try {
            pending = handler.handle(request, peer);
            Reply reply = pending.get(settings.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (reply == null || !answers(request, reply)) {
                LOG.error("control: the handler answered {} with {}", describe(request), reply);
                return new Reply.Failure(ErrorCode.INTERNAL, "virtsup gave no valid answer to " + request.command()
                        + "; see virtsup's log");
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(false);
            return new Reply.Failure(ErrorCode.SHUTTING_DOWN, "virtsup is shutting down");
        } catch (TimeoutException e) {
            // Nobody waits for the answer any more: the supervisor forgets the command.
            pending.cancel(false);
            LOG.warn("control: {} from {} got no answer within {}", describe(request), peer,
                    settings.replyTimeout());
            return new Reply.Failure(ErrorCode.INTERNAL, request.command() + " got no answer within "
                    + settings.replyTimeout().toSeconds() + " s; see virtsup's log");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.error("control: {} from {} failed", describe(request), peer, cause);
            return new Reply.Failure(ErrorCode.INTERNAL, request.command() + " failed: " + cause.getMessage());
        } catch (RuntimeException e) {
            LOG.error("control: {} from {} failed", describe(request), peer, e);
            return new Reply.Failure(ErrorCode.INTERNAL, request.command() + " failed: " + e.getMessage());
        }
    }

    /** Whether the reply is of the kind the request calls for (clients decode by that kind). */
    static boolean answers(Request request, Reply reply) {
        if (reply instanceof Reply.Failure) {
            return true;
        }
        if (request instanceof Request.Status) {
            return reply instanceof StatusReport;
        }
        if (request instanceof Request.Log) {
            return reply instanceof Reply.LogOutput;
        }
        return reply instanceof Reply.ActionOutcome;
    }

    private static String describe(Request request) {
        return request.command() + request.daemon().map(n -> " " + n).orElse("")
                + (request instanceof Request.Signal s ? " " + s.signal() : "");
    }

}

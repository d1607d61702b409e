package org.virtsup.control;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request line to its reply: decoded, the peer's privilege checked against
 * the verb, handed to the supervisor's {@link ControlHandler}, its answer
 * awaited at most the reply timeout and checked to be of the kind the request
 * calls for. A request nobody waits for any more is cancelled, so that the
 * supervisor forgets it. Runs on a connection's thread.
 */
final class RequestDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final ControlServerSettings settings;
    private final ControlHandler handler;

    RequestDispatcher(ControlServerSettings settings, ControlHandler handler) {
        this.settings = settings;
        this.handler = handler;
    }

    /** How often a command being waited for checks that its client is still there. */
    static final Duration CLIENT_CHECK = Duration.ofMillis(200);

    private final AtomicLong clientChecks = new AtomicLong();

    /**
     * The reply to {@code line}, or null when the client went away while its
     * command ran ({@code clientGone}): its waiting command is forgotten at
     * once (the command itself goes on, as systemctl's jobs do), not held
     * until the reply timeout.
     */
    Reply answer(String line, Peer peer, boolean closing, BooleanSupplier clientGone) {
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
            Reply reply = await(pending, clientGone);
            if (reply == null || !answers(request, reply)) {
                LOG.error("control: the handler answered {} with {}", describe(request), reply);
                return new Reply.Failure(ErrorCode.INTERNAL, "virtsup gave no valid answer to " + request.command()
                        + "; see virtsup's log");
            }
            return reply;
        } catch (ClientGone e) {
            pending.cancel(false);
            LOG.info("control: {} from {}: the client went away; its command goes on unwatched", describe(request),
                    peer);
            return null;
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

    /** The client hung up while its command ran. */
    private static final class ClientGone extends Exception {
        private static final long serialVersionUID = 1L;

        ClientGone() {
            super(null, null, false, false);
        }
    }

    /** The handler's reply; ClientGone once the client hung up, TimeoutException after the reply timeout. */
    private Reply await(CompletableFuture<Reply> pending, BooleanSupplier clientGone)
            throws InterruptedException, ExecutionException, TimeoutException, ClientGone {
        long deadline = System.nanoTime() + settings.replyTimeout().toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            try {
                return pending.get(Math.min(left, CLIENT_CHECK.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException notYet) {
                if (gone(clientGone)) {
                    throw new ClientGone();
                }
            }
        }
    }

    private boolean gone(BooleanSupplier clientGone) {
        try {
            return clientGone.getAsBoolean();
        } catch (RuntimeException cannotTell) {
            return false; // the reply timeout still bounds the wait
        } finally {
            clientChecks.incrementAndGet();
        }
    }

    /** How many times a waiting client was checked for a hang-up: what a test waits on instead of sleeping. */
    long clientChecks() {
        return clientChecks.get();
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

    static String describe(Request request) {
        return request.command() + request.daemon().map(n -> " " + n).orElse("")
                + (request instanceof Request.Signal s ? " " + s.signal() : "");
    }
}

package org.virtsup.control;

import java.util.concurrent.CompletableFuture;

/**
 * The supervisor's side of the control socket, implemented by the event loop.
 *
 * <p>The server calls {@link #handle} on a connection thread after it has decoded
 * the request and checked the peer's permission (a non-privileged peer never
 * reaches this with a mutating request). The implementation posts the request
 * to the event loop and returns at once; the event loop completes the future
 * when the answer is known: start/restart once the daemon is RUNNING and ready
 * (or with {@link Reply.Failure} {@link ErrorCode#FAILED} and the reason), stop
 * once it exited, reload of virtlogd once it re-executed with the same pid.
 * The connection thread waits for the future, so a slow answer holds only that
 * connection.
 *
 * <p>Completing exceptionally is allowed; the client then gets
 * {@link ErrorCode#INTERNAL} with the exception's message.
 */
@FunctionalInterface
public interface ControlHandler {
    CompletableFuture<Reply> handle(Request request, Peer peer);
}

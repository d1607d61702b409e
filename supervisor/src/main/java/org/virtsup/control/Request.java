package org.virtsup.control;

import java.util.Objects;
import java.util.Optional;

/**
 * What an operator asks of the supervisor through the control socket. The event
 * loop answers each kind through {@link ControlHandler}; the server has already
 * checked that the peer may ask it.
 */
public sealed interface Request {

    /** Its row in the table of control commands. */
    Verb verb();

    /** The command's name on the wire and on the command line. */
    default String command() {
        return verb().word();
    }

    /** Whether the request changes anything: those need uid 0 or the control group. */
    default boolean mutating() {
        return verb().mutating();
    }

    /** The daemon the request is about, when it names one. */
    Optional<String> daemon();

    /** {@code handlers}' answer to this request: the handler column of the verb table. */
    <R> R handledBy(Handlers<R> handlers);

    /**
     * One handler per verb. Whoever serves or encodes requests implements it,
     * so that a new verb cannot be added without a handler everywhere: the
     * compiler says where one is missing.
     */
    interface Handlers<R> {
        R status(Status request);

        R start(Start request);

        R stop(Stop request);

        R restart(Restart request);

        R reload(Reload request);

        R signal(Signal request);

        R log(Log request);

        R reexec(Reexec request);
    }

    /** Everything, or one daemon's status. */
    record Status(Optional<String> name) implements Request {
        public Status {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Verb verb() {
            return Verb.STATUS;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.status(this);
        }

        public Optional<String> daemon() {
            return name;
        }
    }

    /** Wants the daemon up; answered once it is running and ready, or failed to be. */
    record Start(String name) implements Request {
        public Start {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Verb verb() {
            return Verb.START;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.start(this);
        }

        public Optional<String> daemon() {
            return Optional.of(name);
        }
    }

    /** Wants the daemon down; answered once it has exited. */
    record Stop(String name) implements Request {
        public Stop {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Verb verb() {
            return Verb.STOP;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.stop(this);
        }

        public Optional<String> daemon() {
            return Optional.of(name);
        }
    }

    /** Stops then starts the daemon; answered once it is running and ready again. */
    record Restart(String name) implements Request {
        public Restart {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Verb verb() {
            return Verb.RESTART;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.restart(this);
        }

        public Optional<String> daemon() {
            return Optional.of(name);
        }
    }

    /**
     * Without a name: what SIGHUP to virtsup does (re-read the configuration file,
     * re-render, apply). virtlogd: SIGUSR1 re-exec in place. libvirtd: SIGHUP.
     */
    record Reload(Optional<String> name) implements Request {
        public Reload {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public Verb verb() {
            return Verb.RELOAD;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.reload(this);
        }

        public Optional<String> daemon() {
            return name;
        }
    }

    /** Sends a signal to the daemon's own pid (never its process group). */
    record Signal(String name, org.virtsup.supervise.Signal signal) implements Request {
        public Signal {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(signal, "signal");
        }

        @Override
        public Verb verb() {
            return Verb.SIGNAL;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.signal(this);
        }

        public Optional<String> daemon() {
            return Optional.of(name);
        }
    }

    /** The daemon's last output lines, at most {@code lines} of them. */
    record Log(String name, int lines) implements Request {
        /** What {@code virtsup log} asks for without {@code -n}. */
        public static final int DEFAULT_LINES = 50;
        /** Bounded so that a reply always fits the write budget of the server. */
        public static final int MAX_LINES = 10_000;

        public Log {
            Objects.requireNonNull(name, "name");
            if (lines < 1 || lines > MAX_LINES) {
                throw new IllegalArgumentException(
                        "lines must be between 1 and " + MAX_LINES + ", not " + lines);
            }
        }

        @Override
        public Verb verb() {
            return Verb.LOG;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.log(this);
        }

        public Optional<String> daemon() {
            return Optional.of(name);
        }
    }

    /**
     * virtsup replaces itself by the installed one, in place: same pid, same
     * daemons, same sockets. Answered once the new code's configuration check
     * passed, right before the exec, or with why it is refused.
     */
    record Reexec() implements Request {
        @Override
        public Verb verb() {
            return Verb.REEXEC;
        }

        @Override
        public <R> R handledBy(Handlers<R> handlers) {
            return handlers.reexec(this);
        }

        public Optional<String> daemon() {
            return Optional.empty();
        }
    }
}

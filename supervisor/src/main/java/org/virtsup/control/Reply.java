package org.virtsup.control;

import org.virtsup.supervise.Phase;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The supervisor's answer to one {@link Request}: the result that request kind
 * calls for, or a {@link Failure}.
 */
public sealed interface Reply permits StatusReport, Reply.ActionOutcome, Reply.LogOutput, Reply.Failure {

    /**
     * The outcome of start, stop, restart, reload and signal, sent when the daemon
     * has reached the state the request asked for.
     *
     * @param name     the daemon, or empty for a reload of the whole configuration
     * @param state    the state it is in now
     * @param pid      its pid now, if it runs
     * @param message  one line for people, e.g. {@code virtlogd re-executed in place (pid 4242 kept)}
     * @param warnings things the operator should know, e.g. that libvirtd still runs without virtlogd
     */
    record ActionOutcome(Optional<String> name, Optional<Phase> state, OptionalInt pid,
                         String message, List<String> warnings) implements Reply {
        public ActionOutcome {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(message, "message");
            warnings = List.copyOf(warnings);
        }
    }

    /** The last output lines of a daemon, oldest first. */
    record LogOutput(String name, List<String> lines) implements Reply {
        public LogOutput {
            Objects.requireNonNull(name, "name");
            lines = List.copyOf(lines);
        }
    }

    /** The request was refused or did not succeed. */
    record Failure(ErrorCode code, String message) implements Reply {
        public Failure {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }
}

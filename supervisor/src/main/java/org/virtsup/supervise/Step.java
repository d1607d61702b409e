package org.virtsup.supervise;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The outcome of one event: the new supervision state and the actions to carry out, in order. */
public record Step(Supervision supervision, List<Action> actions) {
    public Step {
        Objects.requireNonNull(supervision, "supervision");
        actions = List.copyOf(actions);
    }

    /** Why the operator's command was refused, if it was: what the control server replies. */
    public Optional<String> rejection() {
        return actions.stream().filter(a -> a instanceof Action.Rejected)
                .map(a -> ((Action.Rejected) a).reason()).findFirst();
    }
}

package org.virtsup.supervise;

import java.util.List;
import java.util.Objects;

/** The outcome of one event: the new supervision state and the actions to carry out, in order. */
public record Step(Supervision supervision, List<Action> actions) {
    public Step {
        Objects.requireNonNull(supervision, "supervision");
        actions = List.copyOf(actions);
    }
}

package org.virtsup.run;

import java.util.function.BiConsumer;
import org.virtsup.supervise.Supervision;

/** An observer followed by one more thing to do after each step. */
final class ObserverChain {
    private ObserverChain() {}

    /** {@code next}, then {@code then} after each step. */
    static SupervisionExecutor.Observer then(SupervisionExecutor.Observer next,
                                             BiConsumer<Supervision, Supervision> then) {
        return new SupervisionExecutor.Observer() {
            @Override
            public void readyReported(Supervision supervision) {
                next.readyReported(supervision);
            }

            @Override
            public void stopping(Supervision supervision) {
                next.stopping(supervision);
            }

            @Override
            public void stepped(Supervision before, Supervision after) {
                next.stepped(before, after);
                then.accept(before, after);
            }
        };
    }
}

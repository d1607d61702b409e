package org.virtsup.run;

import java.util.function.BiConsumer;
import org.virtsup.supervise.Supervision;

/** Observers of supervision built from others. */
public final class Observers {
    private Observers() {}

    /** {@code next}, then {@code also} after each step. */
    public static SupervisionExecutor.Observer andAfterEachStep(SupervisionExecutor.Observer next,
                                                                BiConsumer<Supervision, Supervision> also) {
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
                also.accept(before, after);
            }
        };
    }
}

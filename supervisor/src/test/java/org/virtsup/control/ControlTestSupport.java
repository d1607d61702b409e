package org.virtsup.control;

import java.util.List;

/** Lets tests in other packages drive the fake supervisor. */
public final class ControlTestSupport {
    private ControlTestSupport() {}

    public static Fake fake() {
        return new Fake(new FakeSupervisor());
    }

    /** A view of {@link FakeSupervisor} for other packages. */
    public static final class Fake {
        private final FakeSupervisor fake;

        Fake(FakeSupervisor fake) {
            this.fake = fake;
        }

        public ControlHandler handler() {
            return fake;
        }

        public void backOff(String name) {
            fake.daemons.put(name, FakeSupervisor.backingOff(name));
        }

        /** The next request is never answered. */
        public void holdNextRequest() {
            fake.held = new java.util.concurrent.CompletableFuture<>();
        }

        /** The next re-execs are refused with {@code why}. */
        public void refuseReexec(String why) {
            fake.reexecRefusal = why;
        }

        /** Answers as a virtsup that predates the command. */
        public void predateReexec() {
            fake.reexecUnknown = true;
        }

        /** A re-exec is answered but never happens: status never counts it. */
        public void loseReexec() {
            fake.reexecLost = true;
        }

        public void invalidConfiguration() {
            fake.configurationInvalid = true;
        }

        /** What reached the supervisor, as {@code command name [argument]}. */
        public List<String> received() {
            return fake.received.stream().map(r -> r.command() + r.daemon().map(n -> " " + n).orElse("")
                    + (r instanceof Request.Signal s ? " " + s.signal().number() : "")
                    + (r instanceof Request.Log l ? " " + l.lines() : "")).toList();
        }
    }
}

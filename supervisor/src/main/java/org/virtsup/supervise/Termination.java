package org.virtsup.supervise;

/**
 * How a process ended, as waitpid(2) tells it, or that it ended without
 * saying how (a daemon virtsup adopted is not its child). The executor maps
 * the POSIX seam's exit status onto this one, so that supervision depends on
 * nothing but the JDK.
 */
public sealed interface Termination {

    /** {@code exited with code 1}, {@code killed by signal 9 (SIGKILL)}: what users read in the journal. */
    String describe();

    /** It called exit(code). */
    record Exited(int code) implements Termination {
        public Exited {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("an exit code is 0 to 255, not " + code);
            }
        }

        @Override
        public String describe() {
            return "exited with code " + code;
        }
    }

    /** A signal ended it. */
    record Killed(int signal, boolean coreDumped) implements Termination {
        public Killed {
            if (signal <= 0) {
                throw new IllegalArgumentException("a signal number is positive, not " + signal);
            }
        }

        @Override
        public String describe() {
            return "killed by " + Signal.describe(signal) + (coreDumped ? ", core dumped" : "");
        }
    }

    /**
     * It ended, and how is not known: it was adopted from an earlier virtsup,
     * so its exit status went to its parent, and virtsup only saw its pidfd.
     */
    record Unknown() implements Termination {
        @Override
        public String describe() {
            return "ended (exit status unknown: not our child)";
        }
    }
}

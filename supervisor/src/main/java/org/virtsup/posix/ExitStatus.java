package org.virtsup.posix;

/** How a process ended, decoded from waitpid's status. */
public sealed interface ExitStatus permits ExitStatus.Exited, ExitStatus.Killed {

    /** e.g. "exited with code 1", "killed by signal 9 (SIGKILL)". */
    String describe();

    /** Decodes a raw waitpid status of a process that has ended (not one that was stopped). */
    static ExitStatus fromWaitStatus(int status) {
        int signal = status & 0x7f;
        if (signal == 0) {
            return new Exited((status >> 8) & 0xff);
        }
        if (signal == 0x7f) {
            throw new IllegalArgumentException("wait status " + status + " is a stopped process, not an ended one");
        }
        return new Killed(signal, (status & 0x80) != 0);
    }

    /** The process called exit (or returned from main) with {@code code}, 0-255. */
    record Exited(int code) implements ExitStatus {
        public Exited {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("exit code out of 0-255: " + code);
            }
        }

        @Override
        public String describe() {
            return "exited with code " + code;
        }
    }

    /** The process was ended by {@code signal}. */
    record Killed(int signal, boolean coreDumped) implements ExitStatus {
        public Killed {
            if (signal < 1 || signal > 64) {
                throw new IllegalArgumentException("signal out of 1-64: " + signal);
            }
        }

        @Override
        public String describe() {
            return "killed by " + Signals.describe(signal)
                    + (coreDumped ? ", core dumped" : "");
        }
    }
}

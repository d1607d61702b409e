package org.virtsup.it;

import java.util.List;

/** What a command run inside a container did. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ExecResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** This result when the command exited 0; otherwise an AssertionError that shows all of it. */
    public ExecResult orFail() {
        if (!succeeded()) {
            throw new AssertionError(describe());
        }
        return this;
    }

    /** Whether the exec timeout ended the command (coreutils' timeout: 124 after TERM, 137 after KILL). */
    public boolean timedOut() {
        return exitCode == 124 || exitCode == 137;
    }

    public String describe() {
        return "command " + command + " exited with code " + exitCode
                + (timedOut() ? " (124/137: probably ended by the exec timeout)" : "")
                + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}

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

    public String describe() {
        return "command " + command + " exited with code " + exitCode
                + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}

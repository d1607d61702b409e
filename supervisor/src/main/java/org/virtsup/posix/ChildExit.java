package org.virtsup.posix;

/** A reaped child: its pid (now free for reuse) and how it ended. */
public record ChildExit(int pid, ExitStatus status) {

    /** e.g. "pid 123 exited with code 1". */
    public String describe() {
        return "pid " + pid + " " + status.describe();
    }
}

package org.virtsup.posix;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A child of a {@link FakePosix}, as its {@link ChildBehaviour} and the test see it. */
public final class FakeChild {
    private final FakePosix posix;
    private final int pid;
    private final SpawnSpec spec;

    FakeChild(FakePosix posix, int pid, SpawnSpec spec) {
        this.posix = posix;
        this.pid = pid;
        this.spec = spec;
    }

    public int pid() {
        return pid;
    }

    public SpawnSpec spec() {
        return spec;
    }

    /** The child calls exit(code): it becomes a zombie until reaped. */
    public void exit(int code) {
        posix.exit(pid, code);
    }

    /** The child is ended by {@code signal} (as by its default action). */
    public void dieOf(int signal) {
        posix.die(pid, signal);
    }

    /** What the kernel does for a signal left at its default disposition. */
    public void takeDefaultAction(int signal) {
        if (FakePosix.defaultActionTerminates(signal)) {
            dieOf(signal);
        }
    }

    /** Writes to the child's stdout: into the pipe it was given, or nowhere (/dev/null, a terminal). */
    public void writeStdout(String text) {
        posix.childWrite(pid, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    public void writeStderr(String text) {
        posix.childWrite(pid, 2, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every signal sent to this child so far, in order. */
    public List<Integer> signals() {
        return posix.signalsSentTo(pid);
    }

    public boolean running() {
        return posix.isRunning(pid);
    }
}

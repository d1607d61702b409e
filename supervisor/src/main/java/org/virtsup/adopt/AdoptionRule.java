package org.virtsup.adopt;

import java.util.Optional;

/**
 * Whether a running daemon is the one an earlier virtsup started and may be
 * taken over. Pure: the caller reads the pid file's lock holder and /proc.
 * A pid is virtsup's only if all of this holds: the record names it, it
 * holds the lock on the daemon's pid file, and it is the very process
 * recorded (same start time, so not a reused pid; same executable and
 * command line, so the same program with the same files).
 */
public final class AdoptionRule {
    private AdoptionRule() {}

    /** What to do with a daemon found running. */
    public sealed interface Verdict {}

    /** Take it over. */
    public record Adopt(DaemonRecord recorded) implements Verdict {}

    /** Leave it alone and refuse to start; {@code why} completes "virtsup cannot adopt it: ...". */
    public record Refuse(String why) implements Verdict {}

    /**
     * @param lockHolder the pid holding the lock on the daemon's pid file (0: in another pid namespace,
     *                   -1: an open file description lock, as {@code Posix.lockHolder} reports them)
     * @param recorded   what the state record says of the daemon, if anything
     * @param now        process {@code lockHolder} as /proc shows it now, empty when it cannot be read
     */
    public static Verdict judge(int lockHolder, Optional<DaemonRecord> recorded, Optional<ProcessIdentity> now) {
        if (recorded.isEmpty()) {
            return new Refuse("no state record of virtsup names it");
        }
        ProcessIdentity was = recorded.get().process();
        if (lockHolder != was.pid()) {
            return new Refuse("the state record names pid " + was.pid() + ", but "
                    + (lockHolder > 0 ? "pid " + lockHolder : "a process virtsup cannot name")
                    + " holds the lock on its pid file");
        }
        if (now.isEmpty() || now.get().pid() != was.pid()) {
            return new Refuse("pid " + was.pid() + " cannot be read in /proc");
        }
        ProcessIdentity is = now.get();
        if (is.startTime() != was.startTime()) {
            return new Refuse("pid " + was.pid() + " started at tick " + is.startTime() + " since boot, not at tick "
                    + was.startTime() + " as recorded: it is another process with the same pid");
        }
        if (!is.executable().equals(was.executable())) {
            return new Refuse("pid " + was.pid() + " runs " + is.executable() + ", not " + was.executable()
                    + " as recorded");
        }
        if (!is.commandLine().equals(was.commandLine())) {
            return new Refuse("pid " + was.pid() + " runs with the command line " + String.join(" ", is.commandLine())
                    + ", not the recorded " + String.join(" ", was.commandLine()));
        }
        return new Adopt(recorded.get());
    }
}

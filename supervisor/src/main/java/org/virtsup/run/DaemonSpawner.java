package org.virtsup.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Action;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;

/**
 * Carries out {@link Action.Spawn} through the POSIX seam: the daemon's
 * program with stdout and stderr on one pipe (so that their lines keep their
 * order) whose reading end goes to {@link DaemonOutput}. Its contract is
 * {@link Event.Spawned} or {@link Event.SpawnFailed}, whatever fails: a daemon
 * left STARTING without a pid would have no timer and never be tried again.
 */
final class DaemonSpawner {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final Supervisor.Programs programs;
    private final DaemonOutput output;
    private final Runnable childSpawned;

    DaemonSpawner(Posix posix, Supervisor.Programs programs, DaemonOutput output, Runnable childSpawned) {
        this.posix = posix;
        this.programs = programs;
        this.output = output;
        this.childSpawned = childSpawned;
    }

    /** Spawns the daemon; never throws: what went wrong is in the SpawnFailed. */
    Event spawn(Daemon daemon) {
        Pipe pipe;
        try {
            pipe = posix.pipe();
        } catch (RuntimeException e) {
            return new Event.SpawnFailed(daemon, reason(e));
        }
        int pid;
        try {
            DaemonProgram program = programs.program(daemon);
            pid = posix.spawn(new SpawnSpec(program.path(), program.argv(), program.environment(),
                    -1, pipe.writeFd(), pipe.writeFd()));
        } catch (RuntimeException e) {
            closeQuietly(pipe.readFd());
            closeQuietly(pipe.writeFd());
            return new Event.SpawnFailed(daemon, reason(e));
        }
        // The pid is known: whatever fails below, the daemon's process is tracked.
        try {
            closeQuietly(pipe.writeFd());
            childSpawned.run();
            output.follow(daemon, pid, pipe.readFd());
        } catch (RuntimeException e) {
            log.error("cannot follow the output of {} (pid {})", daemon, pid, e);
        }
        return new Event.Spawned(daemon, pid);
    }

    static String reason(RuntimeException e) {
        if (e instanceof PosixException) {
            return e.getMessage();
        }
        log.error("spawning failed unexpectedly", e);
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void closeQuietly(int fd) {
        try {
            posix.close(fd);
        } catch (PosixException e) {
            log.warn("cannot close the output pipe: {}", e.getMessage());
        }
    }
}

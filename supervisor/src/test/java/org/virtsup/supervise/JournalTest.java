package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtsup.supervise.Daemon.LIBVIRTD;
import static org.virtsup.supervise.Daemon.VIRTLOGD;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** Whole stories as users read them in the journal, line by line. */
class JournalTest {

    static List<String> journal(FakeExecutor run) {
        return run.journal.stream().filter(a -> a instanceof Action.Log)
                .map(a -> (Action.Log) a)
                .filter(log -> log.level() != Action.Log.Level.DEBUG)
                .map(log -> log.level() + " " + log.message())
                .collect(Collectors.toList());
    }

    @Test
    void bootCrashAndShutdown() {
        FakeExecutor run = FakeExecutor.both();
        run.boot();
        run.now = run.now.plusMillis(200);
        run.ready(VIRTLOGD);
        run.now = run.now.plusMillis(900);
        run.ready(LIBVIRTD);
        run.advance(Duration.ofMinutes(10));
        run.exits(LIBVIRTD, new Termination.Killed(11, true));
        run.now = run.now.plusMillis(700);
        run.ready(LIBVIRTD);
        run.feed(new Event.Shutdown());
        run.exits(LIBVIRTD, new Termination.Exited(0));
        run.exits(VIRTLOGD, new Termination.Exited(0));

        assertEquals(List.of(
                "INFO virtlogd started (pid 100); waiting up to 30 s for it to be ready",
                "INFO libvirtd starts once virtlogd is running",
                "INFO virtlogd (pid 100) is ready after 0.2 s",
                "INFO libvirtd started (pid 101); waiting up to 30 s for it to be ready",
                "INFO libvirtd (pid 101) is ready after 0.9 s",
                "INFO ready: virtlogd (pid 100), libvirtd (pid 101) running",
                "WARNING libvirtd (pid 101) killed by signal 11 (SIGSEGV), core dumped; restarting now (restart 1)",
                "INFO libvirtd started (pid 102); waiting up to 30 s for it to be ready",
                "INFO libvirtd (pid 102) is ready after 0.7 s",
                "INFO shutdown requested: stopping libvirtd, then virtlogd",
                "INFO stopping libvirtd (pid 102): SIGTERM, SIGKILL if it is still running after 20 s;"
                        + " running guests are not signalled",
                "INFO libvirtd (pid 102) stopped: exited with code 0",
                "INFO stopping virtlogd (pid 100): SIGTERM, SIGKILL if it is still running after 20 s",
                "INFO virtlogd (pid 100) stopped: exited with code 0",
                "INFO every daemon is down; exiting with code 0 (shutdown requested)"),
                journal(run));
    }

    @Test
    void reloads() {
        FakeExecutor run = FakeExecutor.both();
        run.bootBothReady();
        run.journal.clear();
        run.feed(new Event.Reconfigured(Policy.defaults(), Set.of(VIRTLOGD, LIBVIRTD), Set.of(VIRTLOGD)));
        run.ready(VIRTLOGD);
        run.feed(new Event.Reload(LIBVIRTD));
        run.feed(new Event.Reconfigured(Policy.defaults(), Set.of(VIRTLOGD, LIBVIRTD), Set.of(LIBVIRTD)));
        run.exits(LIBVIRTD, new Termination.Exited(0));

        assertEquals(List.of(
                "INFO virtlogd.conf changed: virtlogd (pid 100) re-executes itself in place (SIGUSR1), keeping its pid"
                        + " and open logs",
                "INFO libvirtd.conf is unchanged: libvirtd (pid 101) reloads its drivers' state (SIGHUP)",
                "INFO virtlogd (pid 100) re-executed itself and is ready again",
                "INFO on request: libvirtd (pid 101) reloads its drivers' state (SIGHUP)",
                "INFO libvirtd.conf changed; restarting libvirtd (pid 101): SIGTERM, SIGKILL if it is still running"
                        + " after 20 s; running guests are not signalled",
                "INFO libvirtd (pid 101) stopped: exited with code 0; starting it again",
                "INFO libvirtd started (pid 102); waiting up to 30 s for it to be ready"),
                journal(run));
    }

    @Test
    void aDaemonThatCannotStartInAContainer() {
        Policy policy = new Policy(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(30),
                Duration.ofSeconds(60), 3, true);
        FakeExecutor run = new FakeExecutor(policy, Set.of(LIBVIRTD));
        run.failSpawns(LIBVIRTD, "spawn /usr/sbin/libvirtd: ENOENT", "spawn /usr/sbin/libvirtd: ENOENT",
                "spawn /usr/sbin/libvirtd: ENOENT");
        run.boot();
        run.advance(Duration.ofSeconds(1));

        assertEquals(List.of(
                "WARNING cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT; restarting now (restart 1)",
                "WARNING cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT; failed 2 starts in a row;"
                        + " next attempt in 1 s (restart 2)",
                "ERROR cannot start libvirtd: spawn /usr/sbin/libvirtd: ENOENT; libvirtd failed 3 starts in a row"
                        + " (respawn-limit 3): giving up; `virtsup start libvirtd` tries again",
                "ERROR libvirtd failed and exit-on-failure? is set: stopping libvirtd, then virtlogd",
                "ERROR every daemon is down; exiting with code 1 (libvirtd failed and exit-on-failure? is set)"),
                journal(run));
        assertEquals(List.of(new Action.Exit(1, "libvirtd failed and exit-on-failure? is set")),
                FakeExecutor.only(Action.Exit.class, run.journal));
    }

    @Test
    void aHungDaemonAtStartAndAtStop() {
        FakeExecutor run = new FakeExecutor(Set.of(VIRTLOGD));
        run.boot();
        run.advance(Duration.ofSeconds(30));
        run.advance(Duration.ofSeconds(20));
        run.exits(VIRTLOGD, new Termination.Killed(9, false));

        assertEquals(List.of(
                "INFO virtlogd started (pid 100); waiting up to 30 s for it to be ready",
                "WARNING virtlogd (pid 100) is not ready after 30 s: a failed start; stopping it with SIGTERM,"
                        + " SIGKILL if it is still running after 20 s",
                "WARNING virtlogd (pid 100) is still running 20 s after SIGTERM; sending SIGKILL (running guests"
                        + " lose their console logs until they restart)",
                "WARNING virtlogd (pid 100) killed by signal 9 (SIGKILL) after its failed start; restarting now"
                        + " (restart 1)",
                "INFO virtlogd started (pid 101); waiting up to 30 s for it to be ready"),
                journal(run));
    }
}

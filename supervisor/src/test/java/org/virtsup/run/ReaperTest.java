package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.SpawnSpec;

class ReaperTest {
    private static int spawn(FakePosix posix) {
        return posix.spawn(new SpawnSpec("/usr/bin/sleep", List.of("sleep", "infinity"), Map.of(), -1, -1, -1));
    }

    private static long waits(FakePosix posix) {
        return posix.calls().stream().filter("waitAny"::equals).count();
    }

    @Test
    void reportsEveryExitWithItsStatusInTheOrderTheyHappened() {
        FakePosix posix = new FakePosix().addExecutable("/usr/bin/sleep");
        int first = spawn(posix);
        int second = spawn(posix);
        List<ChildExit> exits = new CopyOnWriteArrayList<>();
        new Reaper(posix, exits::add).start();

        posix.exit(first, 3);
        posix.die(second, 9);

        Eventually.until(() -> exits.size() == 2, () -> "two exits reported: " + exits);
        assertEquals(List.of(new ChildExit(first, new ExitStatus.Exited(3)),
                new ChildExit(second, new ExitStatus.Killed(9, false))), exits);
    }

    @Test
    void withNoChildItWaitsUntilToldOfASpawn() {
        FakePosix posix = new FakePosix().addExecutable("/usr/bin/sleep");
        List<ChildExit> exits = new CopyOnWriteArrayList<>();
        Reaper reaper = new Reaper(posix, exits::add);
        reaper.start();
        Eventually.until(() -> waits(posix) >= 1, () -> "the reaper asked once and met ECHILD");

        int child = spawn(posix);
        reaper.childSpawned();
        posix.exit(child, 0);

        Eventually.until(() -> exits.size() == 1, () -> "the child's exit reported");
        assertEquals(new ChildExit(child, new ExitStatus.Exited(0)), exits.get(0));
    }

    @Test
    void sigchldWakesAReaperThatSleepsForWantOfChildren() {
        FakePosix posix = new FakePosix().addExecutable("/usr/bin/sleep");
        List<ChildExit> exits = new CopyOnWriteArrayList<>();
        Reaper reaper = new Reaper(posix, exits::add);
        reaper.start();
        Eventually.until(() -> waits(posix) >= 1, () -> "the reaper asked once and met ECHILD");

        // A child virtsup did not spawn itself: an orphan re-parented to PID 1.
        int orphan = spawn(posix);
        posix.exit(orphan, 0);
        reaper.childChanged();

        Eventually.until(() -> exits.size() == 1, () -> "the orphan reaped after SIGCHLD");
        assertEquals(new ChildExit(orphan, new ExitStatus.Exited(0)), exits.get(0));
    }

    @Test
    void stopEndsASleepingReaperWhichThenReapsNothing() {
        FakePosix posix = new FakePosix().addExecutable("/usr/bin/sleep");
        List<ChildExit> exits = new CopyOnWriteArrayList<>();
        Reaper reaper = new Reaper(posix, exits::add);
        Thread thread = reaper.start();
        Eventually.until(() -> waits(posix) >= 1, () -> "the reaper asked once and met ECHILD");

        assertTrue(reaper.stop(Duration.ofSeconds(5)), "stop reports the thread ended");
        assertFalse(thread.isAlive(), "the reaper thread ended");

        // A child spawned after shutdown (a test's next supervisor, say) is not taken from its own reaper.
        int later = spawn(posix);
        posix.exit(later, 0);
        reaper.childSpawned();
        reaper.childChanged();
        assertEquals(1, waits(posix), "no waitpid after stop");
        assertEquals(List.of(), exits);
    }

    @Test
    void aReaperBlockedOnALiveOrphanEndsWithItsExitAndStillReportsIt() {
        FakePosix posix = new FakePosix().addExecutable("/usr/bin/sleep");
        int orphan = spawn(posix);
        List<ChildExit> exits = new CopyOnWriteArrayList<>();
        Reaper reaper = new Reaper(posix, exits::add);
        Thread thread = reaper.start();
        Eventually.until(() -> waits(posix) >= 1, () -> "the reaper waits in waitpid");

        assertFalse(reaper.stop(Duration.ofMillis(50)), "still blocked in waitpid while the orphan lives");
        posix.exit(orphan, 0);

        Eventually.until(() -> !thread.isAlive(), () -> "the reaper ended after the orphan's exit");
        assertEquals(List.of(new ChildExit(orphan, new ExitStatus.Exited(0))), exits);
    }
}

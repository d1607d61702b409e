package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;

/** The wall clock jumps while virtsup runs; supervision goes by the monotonic clock. */
class ClockJumpTest {
    /** The wall clock: the test's time plus whatever the operator or NTP set it to. */
    private static final class Wall extends Clock {
        private final FakeTime time;
        private volatile Duration offset = Duration.ZERO;

        Wall(FakeTime time) {
            this.time = time;
        }

        @Override
        public Instant instant() {
            return time.instant().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private Wall wall;
    private final FakePosix posix = new FakePosix()
            .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.runsUntilSignalled());
    private SupervisorUnderTest run;

    @AfterEach
    void close() {
        run.close();
    }

    private void start() {
        run = new SupervisorUnderTest(posix, "(service virtlog-service-type)\n", SupervisorUnderTest.OUR_ENVIRONMENT,
                time -> {
                    wall = new Wall(time);
                    return MonotonicClock.anchoredAt(wall, time::nanoTime);
                });
    }

    @Test
    void aJumpOfTheWallClockDoesNotMakeAFlappingDaemonLookStable() {
        start();
        run.boot();
        int first = posix.awaitSpawned(1, Duration.ofSeconds(5)).pid();
        run.ready(Daemon.VIRTLOGD);
        posix.die(first, 9); // restarted at once (failure 1)
        int second = posix.awaitSpawned(2, Duration.ofSeconds(5)).pid();
        run.ready(Daemon.VIRTLOGD);
        run.awaitState(Daemon.VIRTLOGD, s -> s.ready() && s.pid() == second, "running as " + second);

        wall.offset = Duration.ofDays(1); // set forward: a day "passed" in no time
        posix.die(second, 9);

        DaemonState state = run.awaitState(Daemon.VIRTLOGD, s -> s.phase() == Phase.BACKOFF, "backing off");
        assertEquals(2, state.consecutiveFailures(), "two failures in a row: the restart delay did not start over");
    }

    @Test
    void aWallClockSetBackDoesNotDelayTheBackoffTimer() {
        start();
        run.boot();
        int first = posix.awaitSpawned(1, Duration.ofSeconds(5)).pid();
        run.ready(Daemon.VIRTLOGD);
        posix.die(first, 9);
        int second = posix.awaitSpawned(2, Duration.ofSeconds(5)).pid();
        posix.die(second, 9); // failure 2: next attempt in 1 s
        run.awaitState(Daemon.VIRTLOGD, s -> s.phase() == Phase.BACKOFF, "backing off");

        wall.offset = Duration.ofHours(-1);
        run.advance(Duration.ofSeconds(1));

        posix.awaitSpawned(3, Duration.ofSeconds(5));
        assertEquals(Phase.STARTING, run.state(Daemon.VIRTLOGD).phase(), "tried again after 1 s, not 1 h 1 s");
    }
}

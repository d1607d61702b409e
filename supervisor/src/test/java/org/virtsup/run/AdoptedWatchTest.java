package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.Signals;
import org.virtsup.supervise.Daemon;

class AdoptedWatchTest {
    private final FakePosix posix = new FakePosix().addProcess(812, 0);
    private final List<Integer> ended = new CopyOnWriteArrayList<>();

    private AdoptedDaemon adopted() {
        return new AdoptedDaemon(Daemon.LIBVIRTD, new DaemonRecord(Daemon.LIBVIRTD,
                PreflightAdoptionTest.LIBVIRTD, PreflightAdoptionTest.DIGEST, Map.of()), posix.pidfdOpen(812));
    }

    @Test
    void theEndOfAnAdoptedDaemonIsReportedOnceAndItsPidfdClosed() {
        try (AdoptedWatch watch = new AdoptedWatch(posix, ended::add)) {
            watch.watch(adopted());
            posix.kill(812, Signals.KILL);
            Eventually.until(() -> ended.equals(List.of(812)), Duration.ofSeconds(10), () -> "the end is reported");
            Eventually.until(() -> posix.openDescriptors().equals(List.of(0, 1, 2)), Duration.ofSeconds(10),
                    () -> "its pidfd is closed: " + posix.openDescriptors());
        }
        assertEquals(List.of(812), ended);
    }

    @Test
    void closingStopsWatchingAndClosesThePidfdWithoutReportingAnEnd() {
        AdoptedWatch watch = new AdoptedWatch(posix, ended::add);
        watch.watch(adopted());
        watch.close();
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
        assertEquals(List.of(), ended);
    }
}

package org.virtsup.control;

import org.virtsup.supervise.Phase;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StatusTextTest {
    @Test
    void durationsReadLikeUptime() {
        assertEquals("0s", StatusText.duration(0));
        assertEquals("59s", StatusText.duration(59));
        assertEquals("1m 0s", StatusText.duration(60));
        assertEquals("59m 59s", StatusText.duration(3599));
        assertEquals("1h 0m", StatusText.duration(3600));
        assertEquals("23h 59m", StatusText.duration(86_399));
        assertEquals("1d 0h", StatusText.duration(86_400));
    }

    @Test
    void saysWhenTheFileChangedSinceItWasLoaded() {
        StatusReport report = new StatusReport(
                new StatusReport.Virtsup(1, 5, Optional.of("/etc/virtsup/config.scm"), false, "0.1.0"), List.of());
        assertEquals("virtsup  pid 1, up 5s, version 0.1.0\n"
                + "         config /etc/virtsup/config.scm (CHANGED since loaded: virtsup reload applies it)\n",
                StatusText.render(report, Instant.EPOCH));
    }

    @Test
    void rendersTheWholeReport() {
        StatusReport report = new StatusReport(
                new StatusReport.Virtsup(812, 7380, Optional.empty(), false, "0.1.0"),
                List.of(new StatusReport.Daemon("virtlogd", Wanted.UP, Phase.STARTING, OptionalInt.of(901),
                                OptionalLong.of(2), false, 1, Optional.empty(), OptionalLong.empty(), List.of(),
                                List.of()),
                        new StatusReport.Daemon("libvirtd", Wanted.UP, Phase.FAILED, OptionalInt.empty(),
                                OptionalLong.empty(), false, 5,
                                Optional.of(new StatusReport.LastExit("killed by signal 9 (SIGKILL)",
                                        OptionalInt.empty(), OptionalInt.of(9), Instant.parse("2026-11-26T10:00:00Z"))),
                                OptionalLong.empty(), List.of("error : cannot open /etc/libvirt/libvirtd.conf"),
                                List.of("gave up after 5 failed starts (respawn-limit)"))));
        assertEquals("""
                virtsup   pid 812, up 2h 3m, version 0.1.0
                          config embedded default (no configuration file)

                virtlogd  STARTING, pid 901, up 2s, 1 restart

                libvirtd  FAILED (wanted up), 5 restarts
                          last exit: killed by signal 9 (SIGKILL), 2026-11-26 10:00:00 UTC (2m 5s ago)
                          warning: gave up after 5 failed starts (respawn-limit)
                          output:
                            | error : cannot open /etc/libvirt/libvirtd.conf
                """, StatusText.render(report, Instant.parse("2026-11-26T10:02:05Z")));
    }
}

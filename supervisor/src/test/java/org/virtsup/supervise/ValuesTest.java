package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.supervise.Rows.seconds;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The small values: policy arithmetic, signals, exit descriptions, the wording of durations. */
class ValuesTest {

    @Test
    void restartDelaysDoubleFromOneSecondUpToTheCap() {
        Policy policy = Policy.defaults();
        List<Duration> delays = IntStream.rangeClosed(1, 9).mapToObj(policy::restartDelay).collect(Collectors.toList());
        assertEquals(List.of(seconds(0), seconds(1), seconds(2), seconds(4), seconds(8), seconds(16), seconds(30),
                seconds(30), seconds(30)), delays);
    }

    @Test
    void restartDelayNeverOverflows() {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        Policy policy = new Policy(seconds(30), seconds(20), forever, seconds(60), 0, false);
        assertEquals(Duration.ofSeconds(1L << 39), policy.restartDelay(41));
        assertEquals(forever, policy.restartDelay(42));
        assertEquals(forever, policy.restartDelay(Integer.MAX_VALUE));
    }

    @Test
    void aSmallCapAppliesFromTheSecondFailure() {
        Policy policy = new Policy(seconds(30), seconds(20), seconds(3), seconds(60), 0, false);
        assertEquals(List.of(seconds(0), seconds(1), seconds(2), seconds(3), seconds(3)),
                IntStream.rangeClosed(1, 5).mapToObj(policy::restartDelay).collect(Collectors.toList()));
    }

    @Test
    void respawnLimitZeroNeverGivesUp() {
        assertFalse(Policy.defaults().givesUpAfter(Integer.MAX_VALUE));
        Policy three = new Policy(seconds(30), seconds(20), seconds(30), seconds(60), 3, false);
        assertFalse(three.givesUpAfter(2));
        assertTrue(three.givesUpAfter(3));
    }

    @Test
    void policyNamesTheFieldAndItsLimit() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new Policy(seconds(30), seconds(20), Duration.ZERO, seconds(60), 0, false));
        assertEquals("restart-delay-max must be at least 1 second, not 0 s", zero.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> new Policy(Duration.ofMillis(500), seconds(20), seconds(30), seconds(60), 0, false));
        assertEquals("start-timeout must be at least 1 second, not 0.5 s", half.getMessage());
        IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                () -> new Policy(seconds(30), seconds(20), seconds(30), seconds(60), -1, false));
        assertEquals("respawn-limit must be 0 (never give up) or more, not -1", limit.getMessage());
    }

    @Test
    void defaultsAreThoseOfSupervisorConfiguration() {
        assertEquals(new Policy(seconds(30), seconds(20), seconds(30), seconds(60), 0, false), Policy.defaults());
    }

    @Test
    void terminationsAreDescribedForUsers() {
        assertEquals("exited with code 0", new Termination.Exited(0).describe());
        assertEquals("killed by signal 9 (SIGKILL)", new Termination.Killed(9, false).describe());
        assertEquals("killed by signal 11 (SIGSEGV), core dumped", new Termination.Killed(11, true).describe());
        assertEquals("killed by signal 40 (SIGRTMIN+8)", new Termination.Killed(40, false).describe());
        assertThrows(IllegalArgumentException.class, () -> new Termination.Exited(256));
        assertThrows(IllegalArgumentException.class, () -> new Termination.Killed(0, false));
    }

    @Test
    void signalsParseTheWaysOperatorsWriteThem() {
        assertEquals(Optional.of(Signal.TERM), Signal.parse("TERM"));
        assertEquals(Optional.of(Signal.TERM), Signal.parse("SIGTERM"));
        assertEquals(Optional.of(Signal.USR1), Signal.parse("usr1"));
        assertEquals(Optional.of(Signal.KILL), Signal.parse("9"));
        assertEquals(Optional.empty(), Signal.parse("SIGNOPE"));
        assertEquals(Optional.empty(), Signal.parse("99999999999"));
        assertEquals(Optional.empty(), Signal.parse(""));
        assertEquals(15, Signal.TERM.number());
        assertEquals(10, Signal.USR1.number());
        assertEquals(1, Signal.HUP.number());
        assertEquals("SIGHUP", Signal.HUP.fullName());
    }

    @Test
    void daemonsAreNamedAsOnTheCommandLine() {
        assertEquals(Optional.of(Daemon.LIBVIRTD), Daemon.named("libvirtd"));
        assertEquals(Optional.of(Daemon.VIRTLOGD), Daemon.named("virtlogd"));
        assertEquals(Optional.empty(), Daemon.named("LIBVIRTD"));
        assertEquals("libvirtd", Daemon.LIBVIRTD.toString());
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("0.3 s", Phrases.duration(Duration.ofMillis(300)));
        assertEquals("0 s", Phrases.duration(Duration.ZERO));
        assertEquals("4 s", Phrases.duration(seconds(4)));
        assertEquals("12 s", Phrases.duration(Duration.ofMillis(12_400)));
        assertEquals("90 s", Phrases.duration(seconds(90)));
        assertEquals("5 min", Phrases.duration(seconds(300)));
        assertEquals("2 min 30 s", Phrases.duration(seconds(150)));
    }

    /** Below 10 s, tenths as {@code %.1f} gives them: rounded half up, a minus kept on a rounded zero. */
    @Test
    void tenthsOfASecondAreThoseOfTheFormatter() {
        for (long millis = -10_000; millis < 10_000; millis++) {
            if (millis % 1000 != 0) {
                assertEquals(String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0),
                        Phrases.duration(Duration.ofMillis(millis)), millis + " ms");
            }
        }
        assertEquals("1.3 s", Phrases.duration(Duration.ofMillis(1250)));
        assertEquals("-0.0 s", Phrases.duration(Duration.ofMillis(-20)));
        assertEquals("-9223372036854776 s", Phrases.duration(Duration.ofMillis(Long.MIN_VALUE)));
    }

    @Test
    void supervisionNeedsBothDaemonsUnderTheirNames() {
        Supervision initial = Supervision.initial(Policy.defaults(), java.util.Set.of(Daemon.LIBVIRTD));
        java.util.Map<Daemon, DaemonState> swapped = new java.util.EnumMap<>(Daemon.class);
        swapped.put(Daemon.VIRTLOGD, initial.daemon(Daemon.LIBVIRTD));
        swapped.put(Daemon.LIBVIRTD, initial.daemon(Daemon.VIRTLOGD));
        assertThrows(IllegalArgumentException.class, () -> new Supervision(Policy.defaults(), swapped,
                Supervision.Stage.NEW, 0, "", false));
        assertTrue(initial.daemon(Daemon.LIBVIRTD).supervised());
        assertFalse(initial.daemon(Daemon.VIRTLOGD).supervised());
    }
}

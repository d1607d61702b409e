package org.virtsup.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdoptionRuleTest {
    private static final DaemonRecord RECORDED = Records.libvirtd(812);
    private static final ProcessIdentity SAME = Records.libvirtdProcess(812);

    @Test
    void theVeryProcessRecordedHoldingItsLockIsAdopted() {
        assertEquals(new AdoptionRule.Adopt(RECORDED), AdoptionRule.judge(812, Optional.of(RECORDED), Optional.of(SAME)));
    }

    @Test
    void aDaemonNoRecordNamesIsRefused() {
        assertRefused("no state record of virtsup names it", AdoptionRule.judge(812, Optional.empty(), Optional.of(SAME)));
    }

    @Test
    void anotherPidHoldingTheLockIsRefused() {
        assertRefused("the state record names pid 812, but pid 900 holds the lock on its pid file",
                AdoptionRule.judge(900, Optional.of(RECORDED), Optional.of(Records.libvirtdProcess(900))));
        assertRefused("the state record names pid 812, but a process virtsup cannot name holds the lock on its pid file",
                AdoptionRule.judge(0, Optional.of(RECORDED), Optional.empty()));
    }

    @Test
    void aReusedPidIsRefused() {
        ProcessIdentity later = new ProcessIdentity(812, 123_456, SAME.executable(), SAME.commandLine());
        assertRefused("pid 812 started at tick 123456 since boot, not at tick 90211 as recorded: it is another"
                + " process with the same pid", AdoptionRule.judge(812, Optional.of(RECORDED), Optional.of(later)));
    }

    @Test
    void anotherProgramOrCommandLineIsRefused() {
        ProcessIdentity other = new ProcessIdentity(812, SAME.startTime(), "/usr/local/sbin/libvirtd",
                SAME.commandLine());
        assertRefused("pid 812 runs /usr/local/sbin/libvirtd, not /usr/sbin/libvirtd as recorded",
                AdoptionRule.judge(812, Optional.of(RECORDED), Optional.of(other)));
        ProcessIdentity otherArguments = new ProcessIdentity(812, SAME.startTime(), SAME.executable(),
                List.of("/usr/sbin/libvirtd", "--listen"));
        assertRefused("pid 812 runs with the command line /usr/sbin/libvirtd --listen, not the recorded "
                + String.join(" ", SAME.commandLine()),
                AdoptionRule.judge(812, Optional.of(RECORDED), Optional.of(otherArguments)));
    }

    @Test
    void aProcessGoneFromProcIsRefused() {
        assertRefused("pid 812 cannot be read in /proc", AdoptionRule.judge(812, Optional.of(RECORDED), Optional.empty()));
    }

    private static void assertRefused(String why, AdoptionRule.Verdict verdict) {
        assertEquals(new AdoptionRule.Refuse(why), verdict);
    }
}

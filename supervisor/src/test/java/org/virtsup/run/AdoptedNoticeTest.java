package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.virtsup.control.StatusReport;
import org.virtsup.control.Wanted;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Phase;

class AdoptedNoticeTest {
    private static StatusReport.Daemon running(String name, int pid) {
        return new StatusReport.Daemon(name, Wanted.UP, Phase.RUNNING, OptionalInt.of(pid), OptionalLong.of(5), true, 0,
                Optional.empty(), OptionalLong.empty(), List.of(), List.of());
    }

    private static StatusReport report(StatusReport.Daemon... daemons) {
        return new StatusReport(new StatusReport.Virtsup(4242, 5, Optional.empty(), true, "test", List.of()),
                List.of(daemons));
    }

    @Test
    void onlyADaemonStillRunningAsItsAdoptedPidCarriesTheNotice() {
        StatusReport noticed = AdoptedNotice.on(report(running("virtlogd", 811), running("libvirtd", 900)),
                Map.of(Daemon.VIRTLOGD, 811, Daemon.LIBVIRTD, 812));
        assertEquals(List.of(AdoptedNotice.TEXT), noticed.daemons().get(0).warnings());
        assertEquals(List.of(), noticed.daemons().get(1).warnings(), "libvirtd was restarted as a child since");
    }
}

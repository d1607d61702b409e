package org.virtsup.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.virtsup.control.StatusReport;
import org.virtsup.supervise.Daemon;

/**
 * What status says of a daemon virtsup adopted rather than started, for as
 * long as that process runs: it is not virtsup's child, so its output is not
 * captured and how it ends will not be known.
 */
final class AdoptedNotice {
    static final String TEXT = "adopted from an earlier virtsup: not virtsup's child, so its output is not in the"
            + " journal and its exit status will not be known; it is restarted as a child when it ends";

    private AdoptedNotice() {}

    /** {@code report} with the notice on each daemon still running as the pid it was adopted with. */
    static StatusReport on(StatusReport report, Map<Daemon, Integer> adopted) {
        List<StatusReport.Daemon> daemons = new ArrayList<>();
        for (StatusReport.Daemon d : report.daemons()) {
            Integer pid = Daemon.named(d.name()).map(adopted::get).orElse(null);
            if (pid != null && d.pid().isPresent() && d.pid().getAsInt() == pid) {
                List<String> warnings = new ArrayList<>(d.warnings());
                warnings.add(TEXT);
                d = d.withWarnings(warnings);
            }
            daemons.add(d);
        }
        return new StatusReport(report.virtsup(), daemons);
    }
}

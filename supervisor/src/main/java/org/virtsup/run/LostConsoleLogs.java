package org.virtsup.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.supervise.Termination;

/**
 * QEMU writes each guest's console to virtlogd; when virtlogd ends, those
 * writes fail and a new virtlogd does not reconnect them. This says which
 * guests are affected, in the log when virtlogd ends and in virtlogd's status
 * for as long as they run.
 */
final class LostConsoleLogs {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    /** A guest that was running when virtlogd died: its console output is lost until it restarts. */
    record Lost(GuestProcesses.Guest guest, Instant since) {}

    private final GuestProcesses guests;
    private final List<Lost> lost = new ArrayList<>();

    LostConsoleLogs(GuestProcesses guests) {
        this.guests = guests;
    }

    /** virtlogd (pid {@code pid}) ended at {@code now}; {@code onRequest}: the operator asked for it. */
    void virtlogdEnded(int pid, Termination termination, boolean onRequest, Instant now) {
        List<GuestProcesses.Guest> affected = guests.running();
        if (affected.isEmpty()) {
            return;
        }
        affected.forEach(guest -> lost.add(new Lost(guest, now)));
        // A stop the operator asked for was warned about when asked; a death is an error.
        String message = "virtlogd (pid {}) {} while {} guest(s) ran: their console output is lost until each"
                + " guest restarts: {}";
        Object[] details = {pid, termination.describe(), affected.size(),
            affected.stream().map(g -> g.name() + " (qemu pid " + g.pid() + ")").toList()};
        if (onRequest) {
            log.warn(message, details);
        } else {
            log.error(message, details);
        }
    }

    /** Guests still running whose console output went nowhere since virtlogd died. */
    List<Lost> current() {
        lost.removeIf(entry -> !guests.stillRunning(entry.guest()));
        return List.copyOf(lost);
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtsup.notify.Notifier;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

/** Fed the core's own transitions: what follows each one, once. */
class InitSystemReporterTest {
    private final List<String> followed = new ArrayList<>();
    private final InitSystemReporter reporter = new InitSystemReporter(Notifier::disabled, 1,
            EnumSet.of(Daemon.VIRTLOGD), new InitSystemReporter.Followers() {
                @Override
                public void libvirtdReady() {
                    followed.add("check libvirtd's sockets");
                }

                @Override
                public void awaitReadiness(Daemon daemon, int pid) {
                    followed.add("probe " + daemon + " " + pid);
                }
            });
    private Supervision state = Supervision.initial(Policy.defaults(), EnumSet.allOf(Daemon.class));

    private void feed(Event event) {
        Supervision before = state;
        state = state.on(event, java.time.Instant.parse("2026-01-01T00:00:00Z")).supervision();
        reporter.stepped(before, state);
    }

    @Test
    void aProbedDaemonIsProbedOncePerStartAndReexecutionAndLibvirtdCheckedOncePerReadyProcess() {
        feed(new Event.Boot());
        feed(new Event.Spawned(Daemon.VIRTLOGD, 10));
        feed(new Event.Ready(Daemon.VIRTLOGD, 10));
        feed(new Event.Spawned(Daemon.LIBVIRTD, 11));
        feed(new Event.Ready(Daemon.LIBVIRTD, 11));
        feed(new Event.Ready(Daemon.LIBVIRTD, 11));
        feed(new Event.Reload(Daemon.VIRTLOGD));
        feed(new Event.Ready(Daemon.VIRTLOGD, 10));
        assertEquals(List.of("probe virtlogd 10", "check libvirtd's sockets", "probe virtlogd 10"), followed);
        assertEquals("virtlogd running (pid 10), libvirtd running (pid 11)", InitSystemReporter.statusLine(state));
    }
}

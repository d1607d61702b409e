package org.virtsup.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.virtsup.notify.Notifier;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * Watches every transition and says what follows from it outside
 * supervision: READY=1, STOPPING=1 and a STATUS line to the init system, a
 * check of libvirtd's sockets once it is ready, a readiness probe for a
 * daemon without a notify socket. It reports and starts things; it never
 * feeds an event itself (what it starts is posted to the loop).
 */
final class InitSystemReporter implements Supervisor.Observer {
    /** What to do when libvirtd is (newly) ready, and when a probed daemon starts waiting for readiness. */
    interface Followers {
        void libvirtdReady();

        void awaitReadiness(Daemon daemon, int pid);
    }

    private final Supplier<Notifier> initSystem;
    private final int ourPid;
    private final Set<Daemon> probed;
    private final Followers followers;
    private String lastStatus = "";

    InitSystemReporter(Supplier<Notifier> initSystem, int ourPid, Set<Daemon> probed, Followers followers) {
        this.initSystem = initSystem;
        this.ourPid = ourPid;
        this.probed = probed;
        this.followers = followers;
    }

    @Override
    public void readyReported(Supervision supervision) {
        // The step's STATUS comes after its actions: send it first, so that the init system never
        // holds READY=1 with a status that still says libvirtd is starting.
        lastStatus = statusLine(supervision);
        initSystem.get().status(lastStatus);
        initSystem.get().ready(ourPid);
    }

    @Override
    public void stopping(Supervision supervision) {
        initSystem.get().stopping();
    }

    @Override
    public void stepped(Supervision before, Supervision after) {
        String line = statusLine(after);
        if (!line.equals(lastStatus)) {
            lastStatus = line;
            initSystem.get().status(line);
        }
        DaemonState was = before.daemon(Daemon.LIBVIRTD);
        DaemonState now = after.daemon(Daemon.LIBVIRTD);
        if (now.phase() == Phase.RUNNING && (was.phase() != Phase.RUNNING || was.pid() != now.pid())) {
            followers.libvirtdReady();
        }
        for (Daemon daemon : probed) {
            DaemonState prior = before.daemon(daemon);
            DaemonState current = after.daemon(daemon);
            boolean started = current.phase() == Phase.STARTING
                    && (prior.phase() != Phase.STARTING || prior.pid() != current.pid());
            boolean reexecuting = current.reexecPending() && !prior.reexecPending();
            if ((started && current.pid() != DaemonState.NO_PID) || reexecuting) {
                followers.awaitReadiness(daemon, current.pid());
            }
        }
    }

    /** {@code virtlogd running (pid 12), libvirtd starting (pid 13)}: the init system's STATUS. */
    static String statusLine(Supervision supervision) {
        List<String> parts = new ArrayList<>();
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = supervision.daemon(daemon);
            if (state.supervised()) {
                String phase = state.phase().name().toLowerCase(Locale.ROOT);
                parts.add(state.pid() != DaemonState.NO_PID ? daemon + " " + phase + " (pid " + state.pid() + ")"
                        : daemon + " " + phase);
            }
        }
        return parts.isEmpty() ? "no daemon is supervised" : String.join(", ", parts);
    }
}

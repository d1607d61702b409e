package org.virtsup.control;

import org.virtsup.supervise.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the event loop: two daemons whose state the requests change
 * at once, and a record of every request that reached it.
 */
final class FakeSupervisor implements ControlHandler {
    final List<Request> received = new CopyOnWriteArrayList<>();
    final Map<String, StatusReport.Daemon> daemons = new ConcurrentHashMap<>();
    /** When set, the next request is answered only when the test completes this. */
    volatile CompletableFuture<Reply> held;
    volatile boolean configurationInvalid;
    /** Re-executions so far; a refused one or one that never happens leaves it. */
    volatile int reexecs;
    volatile String reexecRefusal;
    volatile boolean reexecLost;
    /** As a virtsup from before reexec answers it. */
    volatile boolean reexecUnknown;

    FakeSupervisor() {
        daemons.put("virtlogd", running("virtlogd", 901));
        daemons.put("libvirtd", running("libvirtd", 902));
    }

    static StatusReport.Daemon running(String name, int pid) {
        return new StatusReport.Daemon(name, Wanted.UP, Phase.RUNNING, OptionalInt.of(pid),
                OptionalLong.of(125), true, 0, Optional.empty(), OptionalLong.empty(), List.of(), List.of());
    }

    static StatusReport.Daemon backingOff(String name) {
        return new StatusReport.Daemon(name, Wanted.UP, Phase.BACKOFF, OptionalInt.empty(),
                OptionalLong.empty(), false, 3,
                Optional.of(new StatusReport.LastExit("exited with code 1", OptionalInt.of(1), OptionalInt.empty(),
                        Instant.parse("2026-11-26T10:14:02Z"))),
                OptionalLong.of(8), List.of("error : cannot bind: Address already in use", "exiting"),
                List.of());
    }

    @Override
    public CompletableFuture<Reply> handle(Request request, Peer peer) {
        received.add(request);
        CompletableFuture<Reply> pending = held;
        if (pending != null) {
            held = null;
            return pending;
        }
        return CompletableFuture.completedFuture(answer(request));
    }

    private Reply answer(Request request) {
        Optional<String> name = request.daemon();
        if (name.isPresent() && !daemons.containsKey(name.get())) {
            return new Reply.Failure(ErrorCode.NO_SUCH_DAEMON, "no daemon named '" + name.get()
                    + "': virtsup supervises libvirtd, virtlogd");
        }
        if (request instanceof Request.Status s) {
            List<StatusReport.Daemon> list = new ArrayList<>();
            for (String n : List.of("virtlogd", "libvirtd")) {
                if (s.name().isEmpty() || s.name().get().equals(n)) {
                    list.add(daemons.get(n));
                }
            }
            return new StatusReport(new StatusReport.Virtsup(812, 7380, Optional.of("/etc/virtsup/virtsup.scm"),
                    true, "0.1.0", List.of(), reexecs), list);
        }
        if (request instanceof Request.Reexec) {
            if (reexecUnknown) {
                return new Reply.Failure(ErrorCode.UNKNOWN_COMMAND, "unknown command 'reexec': known are status, start");
            }
            if (reexecRefusal != null) {
                return new Reply.Failure(ErrorCode.FAILED, reexecRefusal);
            }
            reexecs += reexecLost ? 0 : 1;
            return new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.of(812),
                    "virtsup (pid 812) re-executes in place; the daemons keep running", List.of());
        }
        if (request instanceof Request.Stop s) {
            StatusReport.Daemon d = daemons.get(s.name());
            daemons.put(s.name(), new StatusReport.Daemon(s.name(), Wanted.DOWN, Phase.STOPPED,
                    OptionalInt.empty(), OptionalLong.empty(), false, d.restarts(), d.lastExit(),
                    OptionalLong.empty(), List.of(), List.of()));
            List<String> warnings = s.name().equals("virtlogd")
                    && daemons.get("libvirtd").state() == Phase.RUNNING
                    ? List.of("libvirtd still runs: guests' console logs are lost until virtlogd is started again")
                    : List.of();
            return new Reply.ActionOutcome(Optional.of(s.name()), Optional.of(Phase.STOPPED),
                    OptionalInt.empty(), s.name() + " stopped", warnings);
        }
        if (request instanceof Request.Start s) {
            daemons.put(s.name(), running(s.name(), 1000));
            return new Reply.ActionOutcome(Optional.of(s.name()), Optional.of(Phase.RUNNING),
                    OptionalInt.of(1000), s.name() + " started (pid 1000), ready", List.of());
        }
        if (request instanceof Request.Reload r) {
            if (r.name().isEmpty() && configurationInvalid) {
                return new Reply.Failure(ErrorCode.INVALID_CONFIGURATION,
                        "/etc/virtsup/virtsup.scm:3:5: error: max-clients must be a positive integer, not -1");
            }
            return new Reply.ActionOutcome(r.name(), Optional.of(Phase.RUNNING), OptionalInt.of(901),
                    r.name().orElse("configuration") + " reloaded", List.of());
        }
        if (request instanceof Request.Log l) {
            List<String> lines = new ArrayList<>();
            for (int i = 1; i <= l.lines(); i++) {
                lines.add(l.name() + " line " + i);
            }
            return new Reply.LogOutput(l.name(), lines);
        }
        return new Reply.ActionOutcome(request.daemon(), Optional.of(Phase.RUNNING), OptionalInt.of(902),
                request.command() + " done", List.of());
    }
}

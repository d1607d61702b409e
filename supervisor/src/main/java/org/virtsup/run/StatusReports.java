package org.virtsup.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.virtsup.control.StatusReport;
import org.virtsup.control.Wanted;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Goal;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.TimerKind;
import org.virtsup.supervise.Termination;

/** What {@code virtsup status} shows, read off the supervision state. */
final class StatusReports {
    /** Lines of a failing daemon's own output in its status. */
    static final int LAST_LINES = 10;

    private StatusReports() {}

    static StatusReport of(Supervision supervision, Supervisor supervisor, StatusReport.Supervisor self,
                           Optional<Daemon> only, Instant now) {
        List<StatusReport.Daemon> daemons = new ArrayList<>();
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = supervision.daemon(daemon);
            if (state.supervised() && (only.isEmpty() || only.get() == daemon)) {
                daemons.add(daemon(state, supervisor.tail(daemon), now));
            }
        }
        return new StatusReport(self, daemons);
    }

    static StatusReport.Daemon daemon(DaemonState state, OutputTail tail, Instant now) {
        boolean running = state.pid() != DaemonState.NO_PID;
        boolean failing = state.phase() == Phase.BACKOFF || state.phase() == Phase.FAILED
                || (state.consecutiveFailures() > 0 && state.phase() != Phase.RUNNING);
        OptionalLong nextRetry = state.phase() == Phase.BACKOFF
                ? state.timer().filter(t -> t.kind() == TimerKind.BACKOFF)
                        .map(t -> OptionalLong.of(Math.max(0, Duration.between(now, t.deadline()).toSeconds())))
                        .orElse(OptionalLong.empty())
                : OptionalLong.empty();
        List<String> warnings = new ArrayList<>();
        state.problem().filter(p -> failing).ifPresent(warnings::add);
        return new StatusReport.Daemon(
                state.daemon().programName(),
                state.goal() == Goal.UP ? Wanted.UP : Wanted.DOWN,
                org.virtsup.control.DaemonState.valueOf(state.phase().name()),
                running ? OptionalInt.of(state.pid()) : OptionalInt.empty(),
                running ? state.startedAt().map(at -> OptionalLong.of(Duration.between(at, now).toSeconds()))
                        .orElse(OptionalLong.empty()) : OptionalLong.empty(),
                state.phase() == Phase.RUNNING && state.readyAt().isPresent(),
                state.restarts(),
                state.lastExit().map(StatusReports::lastExit),
                nextRetry,
                failing ? tail.last(LAST_LINES) : List.of(),
                warnings);
    }

    private static StatusReport.LastExit lastExit(DaemonState.LastExit exit) {
        Termination termination = exit.termination();
        OptionalInt code = termination instanceof Termination.Exited exited
                ? OptionalInt.of(exited.code()) : OptionalInt.empty();
        OptionalInt signal = termination instanceof Termination.Killed killed
                ? OptionalInt.of(killed.signal()) : OptionalInt.empty();
        return new StatusReport.LastExit(termination.describe(), code, signal, exit.at());
    }
}

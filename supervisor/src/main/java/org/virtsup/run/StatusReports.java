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
    private StatusReports() {}

    static StatusReport of(Supervision supervision, SupervisionExecutor supervisor, StatusReport.Virtsup self,
                           Optional<Daemon> only, Instant now) {
        List<StatusReport.Daemon> daemons = new ArrayList<>();
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = supervision.daemon(daemon);
            if (state.supervised() && (only.isEmpty() || only.get() == daemon)) {
                StatusReport.Daemon report = daemon(state, supervisor.tail(daemon), now);
                if (daemon == Daemon.VIRTLOGD) {
                    report = withLostConsoleLogs(report, supervisor.lostConsoleLogs());
                }
                daemons.add(report);
            }
        }
        return new StatusReport(self, daemons);
    }

    static StatusReport.Daemon daemon(DaemonState state, OutputTail tail, Instant now) {
        boolean running = state.pid() != DaemonState.NO_PID;
        boolean failing = state.failing();
        OptionalLong nextRetry = state.phase() == Phase.BACKOFF
                ? state.nextAttemptIn(now).map(in -> OptionalLong.of(in.toSeconds())).orElse(OptionalLong.empty())
                : OptionalLong.empty();
        List<String> warnings = new ArrayList<>();
        state.problem().filter(p -> failing).ifPresent(warnings::add);
        return new StatusReport.Daemon(
                state.daemon().programName(),
                state.goal() == Goal.UP ? Wanted.UP : Wanted.DOWN,
                state.phase(),
                running ? OptionalInt.of(state.pid()) : OptionalInt.empty(),
                running ? state.startedAt().map(at -> OptionalLong.of(Duration.between(at, now).toSeconds()))
                        .orElse(OptionalLong.empty()) : OptionalLong.empty(),
                state.phase() == Phase.RUNNING && state.readyAt().isPresent(),
                state.restarts(),
                state.lastExit().map(StatusReports::lastExit),
                nextRetry,
                failing ? tail.lastWords() : List.of(),
                warnings,
                List.of(),
                state.phase() == Phase.BACKOFF ? state.nextAttemptAt() : Optional.empty());
    }

    static StatusReport.Daemon withLostConsoleLogs(StatusReport.Daemon report, List<LostConsoleLogs.Lost> lost) {
        if (lost.isEmpty()) {
            return report;
        }
        List<String> warnings = new ArrayList<>(report.warnings());
        for (LostConsoleLogs.Lost entry : lost) {
            warnings.add("guest " + entry.guest().name() + " (qemu pid " + entry.guest().pid()
                    + ") has had no console log since virtlogd died at " + entry.since()
                    + "; it is written again once the guest restarts");
        }
        return report.withWarnings(warnings);
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

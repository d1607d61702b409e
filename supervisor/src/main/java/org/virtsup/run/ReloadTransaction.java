package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.SupervisorConfiguration;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.notify.Notifier;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Completion;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;

/**
 * A configuration reload (SIGHUP, {@code virtsup reload}) as a transaction:
 * the file is read, checked and rendered, the daemons' files written, and only
 * then is the new configuration in force and supervision told. A file that
 * does not load (bad, unreadable, vanished, changed while it was read, so deep
 * the reader gave up), or files that cannot be written, change nothing: the
 * previous files are put back, the daemons keep their pids, the problems are
 * logged and shown in status until a reload succeeds.
 */
final class ReloadTransaction {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final ConfigurationReader reader;
    private final ConfigurationInForce inForce;
    private final RenderedFiles files;
    private final SupervisionExecutor supervisor;
    private final Supplier<Notifier> initSystem;
    private final Resources resources;

    /** What else a reload moves besides the files (the daemons' held sockets): the daemons it affects. */
    interface Resources {
        Set<Daemon> moveTo(Configuration next) throws IOException;
    }

    ReloadTransaction(Posix posix, ConfigurationReader reader, ConfigurationInForce inForce, RenderedFiles files,
                      SupervisionExecutor supervisor, Supplier<Notifier> initSystem) {
        this(posix, reader, inForce, files, supervisor, initSystem, next -> Set.of());
    }

    ReloadTransaction(Posix posix, ConfigurationReader reader, ConfigurationInForce inForce, RenderedFiles files,
                      SupervisionExecutor supervisor, Supplier<Notifier> initSystem, Resources resources) {
        this.resources = resources;
        this.posix = posix;
        this.reader = reader;
        this.inForce = inForce;
        this.files = files;
        this.supervisor = supervisor;
        this.initSystem = initSystem;
    }

    /**
     * Runs on the event loop. The reply, and READY=1 to the init system, come
     * once the daemons have settled on the new configuration (a restarted
     * libvirtd ready, virtlogd re-executed), or at once for a refusal.
     */
    CompletableFuture<Reply> reload() {
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        Reply refusal = apply(answer);
        if (refusal != null) {
            answer.complete(refusal);
        }
        return answer;
    }

    /** Returns the refusal, or null once the new configuration is applied and {@code answer} will be completed. */
    private Reply apply(CompletableFuture<Reply> answer) {
        initSystem.get().reloading();
        Configuration previous = inForce.get();
        Optional<Path> source = previous.source();
        Optional<ConfigurationInForce.Stamp> before = ConfigurationInForce.Stamp.of(source);
        ConfigurationLoader.Loaded loaded;
        try {
            loaded = reader.read();
        } catch (RuntimeException | StackOverflowError e) {
            return refused(ErrorCode.INVALID_CONFIGURATION, List.of(source.map(Path::toString).orElse("configuration")
                    + ": error: the configuration cannot be read: " + e), e);
        }
        if (loaded.hasErrors()) {
            return refused(ErrorCode.INVALID_CONFIGURATION,
                    loaded.errors().stream().map(Diagnostic::format).toList(), null);
        }
        if (!ConfigurationInForce.Stamp.of(source).equals(before)) {
            return refused(ErrorCode.INVALID_CONFIGURATION, List.of(source.map(Path::toString).orElse("configuration")
                    + ": error: the file changed while it was read (still being written?); reload again once it"
                    + " is complete"), null);
        }
        loaded.warnings().forEach(w -> log.warn("{}", w.format()));
        Configuration next = loaded.configuration().orElseThrow();
        Set<Daemon> changed;
        try {
            changed = writeFiles(previous, next);
        } catch (IOException | RuntimeException e) {
            return refused(ErrorCode.FAILED, List.of("carrying out the reload failed: " + e.getMessage()), null);
        }
        // Only now: a failure above leaves virtsup on the configuration its daemons run with.
        inForce.replace(next);
        List<String> notes = notes(previous, next);
        String summary = changed.isEmpty() ? "configuration reloaded; the daemons' files are unchanged"
                : "configuration reloaded; changed: " + changed.stream().map(d -> d + ".conf").toList();
        log.info(summary);
        // Not forgotten when a client goes away: the init system waits for READY=1 all the same.
        supervisor.command(new Event.Reconfigured(inForce.policy(), inForce.daemons(), changed), verdict -> {
            initSystem.get().readyAfterReload(InitSystemReporter.statusLine(supervisor.state()));
            if (verdict instanceof Completion.Verdict.Failed failed) {
                log.warn("after the reload: {}", failed.reason());
                answer.complete(new Reply.Failure(ErrorCode.FAILED, summary + "; but " + failed.reason()));
            } else {
                answer.complete(new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.empty(),
                        summary, notes));
            }
        });
        return null;
    }

    private Reply refused(ErrorCode code, List<String> problems, Throwable cause) {
        if (cause != null) {
            log.error("reload refused: the configuration could not be read", cause);
        }
        problems.forEach(line -> log.error("reload refused: {}", line));
        inForce.refused(problems);
        initSystem.get().readyAfterReload("configuration reload refused: " + problems.size()
                + " problem(s); still running with the previous configuration");
        return new Reply.Failure(code, String.join("\n", problems)
                + "\nnothing was changed: the daemons keep running with the previous configuration");
    }

    /** Writes the new files; on failure puts the previous ones back. Returns the daemons to act on. */
    private Set<Daemon> writeFiles(Configuration previous, Configuration next) throws IOException {
        Map<Daemon, Optional<byte[]>> snapshot = files.snapshot();
        Runnable undoDirectory = () -> { };
        try {
            Set<Daemon> changed = EnumSet.noneOf(Daemon.class);
            changed.addAll(files.write(next));
            if (libvirtdCommandChanged(previous, next)) {
                // --listen and the installation prefix are on libvirtd's command line, not in its file:
                // only a new process takes them.
                log.info("libvirtd's command line changed (listen? or libvirt): libvirtd restarts to take it");
                changed.add(Daemon.LIBVIRTD);
            }
            if (next.libvirt().isPresent() && (previous.libvirt().isEmpty()
                    || !previous.libvirt().get().unixSockGroup().equals(next.libvirt().get().unixSockGroup())
                    || !previous.libvirt().get().unixSockDir().equals(next.libvirt().get().unixSockDir()))) {
                undoDirectory = SocketDirectory.undoOf(posix, next);
                SocketDirectory.prepareFor(posix, next);
            }
            changed.addAll(resources.moveTo(next));
            return changed;
        } catch (IOException | RuntimeException e) {
            try {
                undoDirectory.run();
            } catch (RuntimeException undoing) {
                e.addSuppressed(undoing);
                log.error("the socket directory's group and mode could not be put back: {}", undoing.getMessage());
            }
            try {
                files.restore(snapshot);
            } catch (IOException | RuntimeException restoring) {
                e.addSuppressed(restoring);
                log.error("the previous daemons' files could not be put back: {}", restoring.getMessage());
            }
            throw e;
        }
    }

    private List<String> notes(Configuration previous, Configuration next) {
        List<String> notes = new ArrayList<>();
        SupervisorConfiguration before = previous.supervisor();
        SupervisorConfiguration after = next.supervisor();
        if (!before.stateDirectory().equals(after.stateDirectory())
                || !before.controlSocket().equals(after.controlSocket())
                || !before.controlGroup().equals(after.controlGroup())
                || !before.logFormat().equals(after.logFormat())) {
            notes.add("state-directory, control-socket, control-group and log-format take effect when virtsup restarts");
        }
        virtlogClientLimitNote(previous, next).ifPresent(note -> {
            log.warn(note);
            notes.add(note);
        });
        return notes;
    }

    private static boolean libvirtdCommandChanged(Configuration previous, Configuration next) {
        return previous.libvirt().isPresent() && next.libvirt().isPresent()
                && (previous.supervisor().listen() != next.supervisor().listen()
                        || !previous.libvirt().get().libvirt().equals(next.libvirt().get().libvirt()));
    }

    /**
     * virtlogd re-executes itself for a changed virtlogd.conf and re-reads its
     * log settings, but libvirt (9.0) restores its server's client limit from
     * the state it saved before re-executing: a new max-clients waits for
     * virtlogd's next start. Restarting virtlogd for it would cut running
     * guests' console logs, so the operator is told instead.
     */
    private Optional<String> virtlogClientLimitNote(Configuration previous, Configuration next) {
        if (previous.virtlog().isEmpty() || next.virtlog().isEmpty()
                || previous.virtlog().get().maxClients() == next.virtlog().get().maxClients()
                || supervisor.state().daemon(Daemon.VIRTLOGD).pid() == DaemonState.NO_PID) {
            return Optional.empty();
        }
        return Optional.of("virtlog max-clients " + next.virtlog().get().maxClients()
                + " takes effect when virtlogd next starts: re-executing in place, virtlogd keeps its client limit ("
                + previous.virtlog().get().maxClients() + "); `virtsup restart virtlogd` applies it now but running"
                + " guests lose their console logs until they restart");
    }
}

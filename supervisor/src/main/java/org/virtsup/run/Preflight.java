package org.virtsup.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.AdoptionRule;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.adopt.ProcessIdentity;
import org.virtsup.adopt.StateRecord;
import org.virtsup.config.Configuration;
import org.virtsup.control.ControlSocketInUseException;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;

/**
 * What must hold before {@code virtsup run} changes anything on the host: it
 * runs as root, and no copy of a daemon runs outside it. libvirtd and virtlogd
 * lock their pid files: a held lock is a copy running outside virtsup, unless
 * the state record names that very process ({@link AdoptionRule}): then an
 * earlier virtsup started it, and it is adopted. Any other holder, and
 * another virtsup answering on the control socket, make virtsup refuse to
 * start with the sentence that says what to do; nothing is touched.
 */
final class Preflight {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final Configuration configuration;
    private final Function<Daemon, Path> pidFileOf;
    private final Path proc;
    private final boolean controlSocketInherited;

    Preflight(Posix posix, Configuration configuration, Function<Daemon, Path> pidFileOf, Path proc) {
        this(posix, configuration, pidFileOf, proc, false);
    }

    /**
     * @param controlSocketInherited this process holds the control socket, handed over by a live re-exec: it
     *                               answers (its backlog takes connections) though no other virtsup runs
     */
    Preflight(Posix posix, Configuration configuration, Function<Daemon, Path> pidFileOf, Path proc,
              boolean controlSocketInherited) {
        this.posix = posix;
        this.configuration = configuration;
        this.pidFileOf = pidFileOf;
        this.proc = proc;
        this.controlSocketInherited = controlSocketInherited;
    }

    /** Root, or an exception that says why it is needed. */
    void requireRoot() throws IOException {
        if (posix.geteuid() != 0) {
            throw new IOException("virtsup run needs root: libvirtd runs in system mode and its socket directory"
                    + " belongs to root (running as uid " + posix.geteuid() + ")");
        }
    }

    /**
     * The running daemons to adopt (each with its pidfd open), or empty when
     * virtsup must not start: another virtsup runs, or a daemon runs that
     * {@code record} does not name as it is (each logged).
     */
    Optional<List<AdoptedDaemon>> check(StateRecord record) {
        Path controlSocket = Path.of(configuration.supervisor().controlSocket());
        if (!controlSocketInherited && Files.exists(controlSocket) && ReadinessProbe.answers(controlSocket)) {
            log.error("{} virtsup starts no second copy of the daemons and has changed nothing.",
                    new ControlSocketInUseException(controlSocket).getMessage());
            return Optional.empty();
        }
        boolean clear = true;
        List<AdoptedDaemon> adopted = new ArrayList<>();
        for (Daemon daemon : ConfigurationInForce.daemonsOf(configuration)) {
            Path pidFile = pidFileOf.apply(daemon);
            OptionalInt holder = posix.lockHolder(pidFile.toString());
            if (holder.isPresent()) {
                Optional<AdoptedDaemon> taken = adopt(daemon, holder.getAsInt(), record.of(daemon), pidFile);
                taken.ifPresent(adopted::add);
                clear &= taken.isPresent();
            }
        }
        if (!clear) {
            adopted.forEach(daemon -> posix.close(daemon.pidfd()));
            return Optional.empty();
        }
        return Optional.of(adopted);
    }

    /** Whether no other copy of the daemons runs, none adoptable either; logs each one found. */
    boolean noOutsideCopies() {
        return check(StateRecord.empty()).isPresent();
    }

    private Optional<AdoptedDaemon> adopt(Daemon daemon, int pid, Optional<DaemonRecord> recorded, Path pidFile) {
        AdoptionRule.Verdict verdict = AdoptionRule.judge(pid, recorded, ProcessIdentity.read(proc, pid));
        if (verdict instanceof AdoptionRule.Refuse refuse) {
            report(daemon, pid, pidFile, recorded.map(r -> refuse.why()));
            return Optional.empty();
        }
        int pidfd;
        try {
            pidfd = posix.pidfdOpen(pid);
        } catch (PosixException e) {
            report(daemon, pid, pidFile, Optional.of("it cannot be watched (" + e.getMessage() + ")"));
            return Optional.empty();
        }
        // Judged again now that the pidfd holds on to a process: had the recorded one ended and its pid been
        // reused in between, the start time would differ now.
        verdict = AdoptionRule.judge(pid, recorded, ProcessIdentity.read(proc, pid));
        if (verdict instanceof AdoptionRule.Refuse refuse) {
            posix.close(pidfd);
            report(daemon, pid, pidFile, Optional.of(refuse.why()));
            return Optional.empty();
        }
        return Optional.of(new AdoptedDaemon(daemon, recorded.orElseThrow(), pidfd));
    }

    /** @param notAdopted why a daemon the state record names cannot be adopted; empty when no record names it */
    private void report(Daemon daemon, int pid, Path pidFile, Optional<String> notAdopted) {
        String ourFile = Path.of(configuration.supervisor().stateDirectory(), daemon.programName() + ".conf")
                .toString();
        String consequence = daemon == Daemon.VIRTLOGD ? " (running guests' console logs stop until they restart)"
                : " (running guests are not affected)";
        if (notAdopted.isPresent()) {
            log.error("{} is still running as pid {}, recorded by an earlier virtsup, but virtsup cannot adopt it: {}."
                    + " Stop it with 'kill -TERM {}' and start virtsup again{}."
                    + " virtsup starts no second copy and has changed nothing.", daemon, pid, notAdopted.get(), pid,
                    consequence);
        } else if (commandLine(pid).contains(ourFile)) {
            log.error("{} is still running as pid {}, started by an earlier virtsup that ended without"
                    + " stopping it (its configuration is {}), and no state record names it; virtsup cannot take over"
                    + " a daemon it did not record. Stop it with 'kill -TERM {}' and start virtsup again{}."
                    + " virtsup starts no second copy and has changed nothing.", daemon, pid, ourFile, pid,
                    consequence);
        } else {
            log.error("{} is already running outside virtsup as pid {} (it holds the lock on {});"
                    + " stop it first (under systemd: systemctl stop {}.service {}.socket)."
                    + " virtsup starts no second copy and has changed nothing.",
                    daemon, pid, pidFile, daemon, daemon);
        }
    }

    /** The process's arguments joined by spaces, or "" when it cannot be read. */
    private String commandLine(int pid) {
        try {
            return new String(Files.readAllBytes(proc.resolve(Integer.toString(pid)).resolve("cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}

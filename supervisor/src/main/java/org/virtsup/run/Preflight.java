package org.virtsup.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.control.ControlSocketInUseException;
import org.virtsup.posix.Posix;
import org.virtsup.supervise.Daemon;

/**
 * What must hold before {@code virtsup run} changes anything on the host: it
 * runs as root, and no copy of a daemon runs outside it. libvirtd and virtlogd
 * lock their pid files: a held lock is a copy running outside virtsup, unless
 * another virtsup answers on the control socket and runs them; each case gets
 * the sentence that says what to do.
 */
final class Preflight {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    private final Posix posix;
    private final Configuration configuration;
    private final Function<Daemon, Path> pidFileOf;
    private final Path proc;

    Preflight(Posix posix, Configuration configuration, Function<Daemon, Path> pidFileOf, Path proc) {
        this.posix = posix;
        this.configuration = configuration;
        this.pidFileOf = pidFileOf;
        this.proc = proc;
    }

    /** Root, or an exception that says why it is needed. */
    void requireRoot() throws IOException {
        if (posix.geteuid() != 0) {
            throw new IOException("virtsup run needs root: libvirtd runs in system mode and its socket directory"
                    + " belongs to root (running as uid " + posix.geteuid() + ")");
        }
    }

    /** Whether no other copy of the daemons runs; logs each one found. */
    boolean noOutsideCopies() {
        Path controlSocket = Path.of(configuration.supervisor().controlSocket());
        if (Files.exists(controlSocket) && ReadinessProbe.answers(controlSocket)) {
            log.error("{} virtsup starts no second copy of the daemons and has changed nothing.",
                    new ControlSocketInUseException(controlSocket).getMessage());
            return false;
        }
        boolean clear = true;
        for (Daemon daemon : ConfigurationInForce.daemonsOf(configuration)) {
            Path pidFile = pidFileOf.apply(daemon);
            OptionalInt holder = posix.lockHolder(pidFile.toString());
            if (holder.isPresent()) {
                report(daemon, holder.getAsInt(), pidFile);
                clear = false;
            }
        }
        return clear;
    }

    private void report(Daemon daemon, int pid, Path pidFile) {
        String ourFile = Path.of(configuration.supervisor().stateDirectory(), daemon.programName() + ".conf")
                .toString();
        if (commandLine(pid).contains(ourFile)) {
            log.error("{} is still running as pid {}, started by an earlier virtsup that ended without"
                    + " stopping it (its configuration is {}); virtsup cannot take over a daemon it did"
                    + " not start. Stop it with 'kill -TERM {}' and start virtsup again{}."
                    + " virtsup starts no second copy and has changed nothing.", daemon, pid, ourFile, pid,
                    daemon == Daemon.VIRTLOGD ? " (running guests' console logs stop until they restart)"
                            : " (running guests are not affected)");
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

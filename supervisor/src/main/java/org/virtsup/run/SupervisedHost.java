package org.virtsup.run;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.SupervisorConfiguration;
import org.virtsup.control.ControlServer;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlSocketInUseException;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.control.StatusReport;
import org.virtsup.notify.Notifier;
import org.virtsup.notify.NotifyListener;
import org.virtsup.notify.WatchdogInterval;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

/**
 * {@code virtsup run}: one libvirt host under supervision. It checks that no
 * copy of a daemon runs outside it, writes the daemons' files, prepares the
 * socket directories, serves the control socket, listens for the daemons'
 * readiness, routes virtsup's own signals, and runs the event loop until every
 * daemon is stopped.
 */
public final class SupervisedHost {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** How often a daemon without a notify socket is probed while it starts. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);

    /** Reads the configuration again (for SIGHUP and 'virtsup reload'), with the host checks. */
    public interface ConfigurationReader {
        ConfigurationLoader.Loaded read();
    }

    private final Posix posix;
    private final Map<String, String> environment;
    private final ConfigurationReader reader;
    private final Clock clock = Clock.systemUTC();
    private final Instant startedAt = clock.instant();
    private final EventLoop loop = new EventLoop();
    private final Map<Daemon, NotifyListener> listeners = new EnumMap<>(Daemon.class);
    private final Set<Daemon> probed = EnumSet.noneOf(Daemon.class);
    private Configuration configuration;
    private byte[] configurationDigest;
    private RenderedFiles files;
    private Supervisor supervisor;
    private Notifier initSystem = Notifier.disabled();
    private ControlServer control;
    private int exitCode = 1;

    public SupervisedHost(Posix posix, Map<String, String> environment, Configuration configuration,
                          ConfigurationReader reader) {
        this.posix = posix;
        this.environment = Map.copyOf(environment);
        this.configuration = configuration;
        this.configurationDigest = digestOfSource(configuration);
        this.reader = reader;
    }

    /** Runs until every daemon is stopped; returns virtsup's exit code. */
    public int run() {
        // Signals are taken from the first moment: a TERM while virtsup prepares
        // (docker stop right after docker run) must stop it cleanly, not end the
        // JVM with 143 nor be dropped (as PID 1, a signal without a handler is
        // ignored). Boot is queued first, so every signal is handled after it.
        loop.post(() -> supervisor.feed(new Event.Boot()));
        JvmSignals.route(name -> loop.post(() -> onSignal(name)), "TERM", "INT", "HUP", "USR1");
        try {
            if (!refuseOutsideCopies()) {
                return 1;
            }
            prepare();
        } catch (PosixException | IOException e) {
            log.error("cannot prepare the host: {}", e.getMessage());
            closeAll();
            return 1;
        }
        log.info("virtsup {} (pid {}) supervises {} with the configuration {}", Version.current(), posix.getpid(),
                supervised(configuration), configuration.source().map(Path::toString)
                        .orElse(ConfigurationLoader.EMBEDDED_DEFAULT_NAME));
        // The reaper blocks in waitpid; SIGCHLD only wakes it when it sleeps for want of children.
        JvmSignals.route(name -> supervisor.childChanged(), "CHLD");
        supervisor.startReaper();
        WatchdogInterval.from(environment, posix.getpid()).ifPresent(this::keepWatchdogFed);
        loop.run();
        closeAll();
        return exitCode;
    }

    /**
     * libvirtd and virtlogd lock their pid files: a held lock is a copy running
     * outside virtsup, unless another virtsup answers on the control socket
     * and runs them: then that is what to say.
     */
    private boolean refuseOutsideCopies() {
        Path controlSocket = Path.of(configuration.supervisor().controlSocket());
        if (anotherSupervisorAnswers(controlSocket)) {
            log.error("{} virtsup starts no second copy of the daemons and has changed nothing.",
                    new ControlSocketInUseException(controlSocket).getMessage());
            return false;
        }
        boolean clear = true;
        for (Daemon daemon : supervised(configuration)) {
            Path pidFile = program(daemon).pidFile();
            OptionalInt holder = posix.lockHolder(pidFile.toString());
            if (holder.isPresent()) {
                int pid = holder.getAsInt();
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
                clear = false;
            }
        }
        return clear;
    }

    /** The process's arguments joined by spaces, or "" when it cannot be read. */
    private static String commandLine(int pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private void prepare() throws IOException {
        if (posix.geteuid() != 0) {
            throw new IOException("virtsup run needs root: libvirtd runs in system mode and its socket directory"
                    + " belongs to root (running as uid " + posix.geteuid() + ")");
        }
        // Orphans of the daemons (and guests' QEMU processes) come to virtsup to be reaped.
        posix.becomeChildSubreaper();
        SupervisorConfiguration settings = configuration.supervisor();
        files = new RenderedFiles(Path.of(settings.stateDirectory()));
        files.write(configuration);
        prepareSocketDirectories(configuration);
        initSystem = Notifier.fromEnvironment(environment);
        supervisor = new Supervisor(posix, loop, clock, Supervision.initial(policyOf(settings), supervised(configuration)),
                this::program, new InitSystemObserver(), code -> {
                    exitCode = code;
                    loop.stop();
                });
        Path notifyDirectory = files.directory().resolve("notify");
        Files.createDirectories(notifyDirectory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        for (Daemon daemon : Daemon.values()) {
            Path socket = notifyDirectory.resolve(daemon.programName() + ".sock");
            try {
                listeners.put(daemon, NotifyListener.start(daemon.programName(), socket, message -> {
                    if (message.ready()) {
                        loop.post(() -> message.senderPid().ifPresentOrElse(
                                pid -> supervisor.ready(daemon, pid), () -> supervisor.ready(daemon)));
                    }
                }));
            } catch (IOException e) {
                log.warn("no notify socket for {} ({}); its readiness is judged by connecting to its socket",
                        daemon, e.getMessage());
                probed.add(daemon);
            }
        }
        int controlGid = posix.groupId(settings.controlGroup()).orElseThrow(() -> new IOException(
                "control-group \"" + settings.controlGroup() + "\" does not exist"));
        try {
            control = ControlServer.start(ControlServerSettings.of(Path.of(settings.controlSocket()),
                    settings.controlGroup(), controlGid, settings.startTimeout(), settings.stopTimeout()),
                    new ControlBridge(supervisor, this::status, this::reload));
        } catch (ControlSocketInUseException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static boolean anotherSupervisorAnswers(Path controlSocket) {
        if (!Files.exists(controlSocket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(controlSocket));
            return true;
        } catch (IOException e) {
            // Refused: what a virtsup that died left behind; prepare() replaces it.
            return false;
        }
    }

    private void prepareSocketDirectories(Configuration configuration) throws IOException {
        if (configuration.libvirt().isPresent()) {
            var libvirt = configuration.libvirt().get();
            int gid = posix.groupId(libvirt.unixSockGroup()).orElseThrow(() -> new IOException(
                    "unix-sock-group \"" + libvirt.unixSockGroup() + "\" does not exist"));
            SocketDirectory.prepare(posix, libvirt.unixSockDir(), gid);
            if (!Path.of(libvirt.unixSockDir()).toRealPath().equals(Path.of(SocketDirectory.VIRTLOGD_DIRECTORY))) {
                posix.mkdirs(SocketDirectory.VIRTLOGD_DIRECTORY, SocketDirectory.DIRECTORY_MODE);
            }
        } else {
            posix.mkdirs(SocketDirectory.VIRTLOGD_DIRECTORY, SocketDirectory.DIRECTORY_MODE);
        }
    }

    private DaemonProgram program(Daemon daemon) {
        Path notify = probed.contains(daemon) || listeners.get(daemon) == null
                ? null : Path.of(listeners.get(daemon).notifySocket());
        if (daemon == Daemon.VIRTLOGD) {
            return DaemonProgram.virtlogd(configuration.virtlog().orElseThrow(), configuration.prefix(),
                    filesOrDefault().fileOf(daemon), notify, environment);
        }
        return DaemonProgram.libvirtd(configuration.libvirt().orElseThrow(), configuration.supervisor(),
                filesOrDefault().fileOf(daemon), notify, environment);
    }

    private RenderedFiles filesOrDefault() {
        return files != null ? files : new RenderedFiles(Path.of(configuration.supervisor().stateDirectory()));
    }

    private void onSignal(String name) {
        switch (name) {
            case "TERM", "INT" -> {
                log.info("SIG{} received: stopping libvirtd, then virtlogd", name);
                supervisor.feed(new Event.Shutdown());
            }
            case "HUP" -> {
                log.info("SIGHUP received: reloading the configuration");
                reload();
            }
            case "USR1" -> {
                if (supervisor.state().daemon(Daemon.VIRTLOGD).supervised()) {
                    log.info("SIGUSR1 received: virtlogd re-executes itself in place");
                    supervisor.feed(new Event.Reload(Daemon.VIRTLOGD))
                            .ifPresent(reason -> log.warn("SIGUSR1 not forwarded: {}", reason));
                } else {
                    log.warn("SIGUSR1 received, but virtlogd is not supervised: nothing to re-execute");
                }
            }
            default -> log.warn("signal {} is not one virtsup acts on", name);
        }
    }

    /**
     * Reads the configuration again and applies it: an invalid file changes
     * nothing; otherwise the files are re-rendered, virtlogd re-executes when its
     * file changed, libvirtd restarts when its file changed and gets SIGHUP when not.
     */
    private Reply reload() {
        initSystem.reloading();
        ConfigurationLoader.Loaded loaded = reader.read();
        if (loaded.hasErrors()) {
            List<String> lines = loaded.errors().stream().map(Diagnostic::format).toList();
            lines.forEach(line -> log.error("reload refused: {}", line));
            initSystem.readyAfterReload("configuration reload refused: " + lines.size()
                    + " problem(s); still running with the previous configuration");
            return new Reply.Failure(ErrorCode.INVALID_CONFIGURATION, String.join("\n", lines)
                    + "\nnothing was changed: the daemons keep running with the previous configuration");
        }
        loaded.warnings().forEach(w -> log.warn("{}", w.format()));
        Configuration next = loaded.configuration().orElseThrow();
        List<String> notes = new ArrayList<>();
        SupervisorConfiguration before = configuration.supervisor();
        SupervisorConfiguration after = next.supervisor();
        if (!before.stateDirectory().equals(after.stateDirectory())
                || !before.controlSocket().equals(after.controlSocket())
                || !before.controlGroup().equals(after.controlGroup())) {
            notes.add("state-directory, control-socket and control-group take effect when virtsup restarts");
        }
        virtlogClientLimitNote(configuration, next).ifPresent(note -> {
            log.warn(note);
            notes.add(note);
        });
        Set<Daemon> changed = EnumSet.noneOf(Daemon.class);
        try {
            changed.addAll(files.write(next));
            if (libvirtdCommandChanged(configuration, next)) {
                // --listen and the installation prefix are on libvirtd's command line, not in its file:
                // only a new process takes them.
                log.info("libvirtd's command line changed (listen? or libvirt): libvirtd restarts to take it");
                changed.add(Daemon.LIBVIRTD);
            }
            if (next.libvirt().isPresent() && (configuration.libvirt().isEmpty()
                    || !configuration.libvirt().get().unixSockGroup().equals(next.libvirt().get().unixSockGroup())
                    || !configuration.libvirt().get().unixSockDir().equals(next.libvirt().get().unixSockDir()))) {
                prepareSocketDirectories(next);
            }
        } catch (IOException | PosixException e) {
            log.error("reload failed while writing the daemons' files: {}", e.getMessage());
            initSystem.readyAfterReload("configuration reload failed: " + e.getMessage());
            return new Reply.Failure(ErrorCode.FAILED, "reload failed: " + e.getMessage());
        }
        // Only now: a failure above leaves virtsup on the configuration its daemons run with.
        configuration = next;
        configurationDigest = digestOfSource(configuration);
        Optional<String> rejected = supervisor.feed(new Event.Reconfigured(policyOf(configuration.supervisor()),
                supervised(configuration), changed));
        String summary = changed.isEmpty() ? "configuration reloaded; the daemons' files are unchanged"
                : "configuration reloaded; changed: " + changed.stream().map(d -> d + ".conf").toList();
        log.info(summary);
        initSystem.readyAfterReload(statusLine(supervisor.state()));
        if (rejected.isPresent()) {
            return new Reply.Failure(ErrorCode.FAILED, rejected.get());
        }
        return new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.empty(), summary, notes);
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

    private Reply status(Optional<Daemon> only) {
        StatusReport.Supervisor self = new StatusReport.Supervisor(posix.getpid(),
                Duration.between(startedAt, clock.instant()).toSeconds(),
                configuration.source().map(Path::toString), configurationMatchesFile(), Version.current());
        return StatusReports.of(supervisor.state(), supervisor, self, only, clock.instant());
    }

    private boolean configurationMatchesFile() {
        return Arrays.equals(configurationDigest, digestOfSource(configuration));
    }

    private static byte[] digestOfSource(Configuration configuration) {
        if (configuration.source().isEmpty()) {
            return new byte[0];
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(configuration.source().get()));
        } catch (IOException e) {
            return new byte[] {-1};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    private void keepWatchdogFed(Duration interval) {
        loop.post(() -> {
            initSystem.watchdog();
            loop.schedule(interval, () -> keepWatchdogFed(interval));
        });
    }

    private void closeAll() {
        if (control != null) {
            control.close();
        }
        listeners.values().forEach(NotifyListener::close);
        initSystem.close();
    }

    static Policy policyOf(SupervisorConfiguration settings) {
        return new Policy(settings.startTimeout(), settings.stopTimeout(), settings.restartDelayMax(),
                settings.restartResetAfter(), settings.respawnLimit(), settings.exitOnFailure());
    }

    static Set<Daemon> supervised(Configuration configuration) {
        Set<Daemon> daemons = EnumSet.noneOf(Daemon.class);
        configuration.virtlog().ifPresent(v -> daemons.add(Daemon.VIRTLOGD));
        configuration.libvirt().ifPresent(l -> daemons.add(Daemon.LIBVIRTD));
        return daemons;
    }

    static String statusLine(Supervision supervision) {
        List<String> parts = new ArrayList<>();
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = supervision.daemon(daemon);
            if (state.supervised()) {
                String phase = state.phase().name().toLowerCase(java.util.Locale.ROOT);
                parts.add(state.pid() != DaemonState.NO_PID ? daemon + " " + phase + " (pid " + state.pid() + ")"
                        : daemon + " " + phase);
            }
        }
        return parts.isEmpty() ? "no daemon is supervised" : String.join(", ", parts);
    }

    /** Tells the init system where things stand, and checks libvirtd's sockets once it is ready. */
    private final class InitSystemObserver implements Supervisor.Observer {
        private String lastStatus = "";

        @Override
        public void readyReported(Supervision supervision) {
            // The step's STATUS comes after its actions: send it first, so that the init system never
            // holds READY=1 with a status that still says libvirtd is starting.
            lastStatus = statusLine(supervision);
            initSystem.status(lastStatus);
            initSystem.ready(posix.getpid());
        }

        @Override
        public void stopping(Supervision supervision) {
            initSystem.stopping();
        }

        @Override
        public void stepped(Supervision before, Supervision after) {
            String line = statusLine(after);
            if (!line.equals(lastStatus)) {
                lastStatus = line;
                initSystem.status(line);
            }
            DaemonState was = before.daemon(Daemon.LIBVIRTD);
            DaemonState now = after.daemon(Daemon.LIBVIRTD);
            if (now.phase() == Phase.RUNNING && (was.phase() != Phase.RUNNING || was.pid() != now.pid())) {
                checkSockets();
            }
            for (Daemon daemon : probed) {
                DaemonState prior = before.daemon(daemon);
                DaemonState current = after.daemon(daemon);
                boolean started = current.phase() == Phase.STARTING
                        && (prior.phase() != Phase.STARTING || prior.pid() != current.pid());
                boolean reexecuting = current.reexecPending() && !prior.reexecPending();
                if ((started && current.pid() != DaemonState.NO_PID) || reexecuting) {
                    // Posted: an observer reports on a step and never feeds one itself.
                    loop.post(() -> probe(daemon, current.pid()));
                }
            }
        }
    }

    private void checkSockets() {
        configuration.libvirt().ifPresent(libvirt -> posix.groupId(libvirt.unixSockGroup()).ifPresent(gid -> {
            List<String> problems = SocketDirectory.verify(posix, libvirt, gid);
            problems.forEach(p -> log.error("libvirtd's socket is not as configured: {}", p));
        }));
    }

    /** Readiness without sd_notify: the daemon's socket accepting a connection. */
    private void probe(Daemon daemon, int pid) {
        DaemonState state = supervisor.state().daemon(daemon);
        boolean waiting = state.pid() == pid && (state.phase() == Phase.STARTING || state.reexecPending());
        if (!waiting) {
            return;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(program(daemon).socket()));
            supervisor.ready(daemon);
        } catch (IOException notYet) {
            loop.schedule(PROBE_INTERVAL, () -> probe(daemon, pid));
        }
    }

    /** The running version, from the jar's manifest. */
    static final class Version {
        private Version() {}

        static String current() {
            String version = SupervisedHost.class.getPackage().getImplementationVersion();
            return version != null ? version : "development";
        }
    }
}

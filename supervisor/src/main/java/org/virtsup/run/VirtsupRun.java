package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.ProcessIdentity;
import org.virtsup.adopt.StateRecord;
import org.virtsup.adopt.StateRecordFile;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.config.SupervisorConfiguration;
import org.virtsup.control.ControlHandler;
import org.virtsup.control.ControlServer;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlSocketInUseException;
import org.virtsup.control.Reply;
import org.virtsup.control.StatusReport;
import org.virtsup.host.LibvirtdVersion;
import org.virtsup.metrics.MetricsAddressException;
import org.virtsup.metrics.MetricsEndpoint;
import org.virtsup.metrics.VirtsupMetrics;
import org.virtsup.notify.FdStore;
import org.virtsup.notify.Notifier;
import org.virtsup.notify.NotifyListener;
import org.virtsup.notify.WatchdogInterval;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.sockets.HandOffCheck;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.sockets.SocketOwners;
import org.virtsup.sockets.SocketTakeBack;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Supervision;

/**
 * {@code virtsup run}: one libvirt host under supervision. It wires the parts
 * and runs the event loop until every daemon is stopped: {@link Preflight}
 * (root, no outside copy), the daemons' files, the socket directories, the
 * {@link SupervisionExecutor} (the executor), the control socket, the daemons'
 * readiness listeners, {@link InitSystemReporter}, {@link ReloadTransaction},
 * the daemons' {@link HandedSockets} and virtsup's own signals.
 */
public final class VirtsupRun {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    private static final Path PROC = Path.of("/proc");

    private final Posix posix;
    private final Map<String, String> environment;
    private final ConfigurationReader reader;
    private final Function<String, LibvirtdVersion.Answer> libvirtdVersion;
    /** Monotonic: a wall clock jump must not move supervision's timers and durations. */
    private final Clock clock = MonotonicClock.system();
    private final Instant startedAt;
    private final Inheritance inheritance;
    private final EventLoop loop = new EventLoop();
    private final Map<Daemon, NotifyListener> listeners = new EnumMap<>(Daemon.class);
    private final Set<Daemon> probed = EnumSet.noneOf(Daemon.class);
    private final ConfigurationInForce configuration;
    private final VirtsupMetrics metrics = new VirtsupMetrics(clock, Version.current());
    private Supplier<CompletableFuture<Reply>> reload;
    private RenderedFiles files;
    private SupervisionExecutor supervisor;
    private ReloadTransaction reloads;
    private ReadinessProbe probe;
    private Notifier initSystem = Notifier.disabled();
    private ControlServer control;
    private HandedSockets sockets;
    private final List<AdoptedDaemon> adopted = new ArrayList<>();
    /** The adopted daemons that are this process's children: a live re-exec's. */
    private final Set<Daemon> ownChildren = EnumSet.noneOf(Daemon.class);
    private AdoptedWatch watch;
    private StateRecorder recorder;
    private int exitCode = 1;

    /** {@code libvirtdVersion}: asks the libvirtd at a path its version (before the reaper starts). */
    public VirtsupRun(Posix posix, Map<String, String> environment, Configuration configuration,
                          ConfigurationReader reader, Function<String, LibvirtdVersion.Answer> libvirtdVersion) {
        this.posix = posix;
        this.libvirtdVersion = libvirtdVersion;
        this.inheritance = Inheritance.from(environment, posix, ProcSockets.ofThisHost());
        this.environment = Map.copyOf(Inheritance.without(environment));
        this.startedAt = clock.instant().minus(inheritance.up());
        this.configuration = new ConfigurationInForce(configuration);
        this.reader = reader;
    }

    /** Runs until every daemon is stopped; returns virtsup's exit code. */
    public int run() {
        // Signals are taken from the first moment: a TERM while virtsup prepares
        // (docker stop right after docker run) must stop it cleanly, not end the
        // JVM with 143 nor be dropped (as PID 1, a signal without a handler is
        // ignored). Boot is queued first, so every signal is handled after it.
        loop.post(this::boot);
        Runnable route = () -> JvmSignals.route(name -> loop.post(() -> onSignal(name)), "TERM", "INT", "HUP", "USR1");
        if (inheritance.reexecuted()) {
            posix.takeBackSignals(LiveReexec.ORDERS, route); // held across the exec; any that came is delivered now
        } else {
            route.run();
        }
        Configuration initial = configuration.get();
        try {
            Preflight preflight = new Preflight(posix, initial, daemon -> program(daemon).pidFile(), PROC,
                    inheritance.controlSocket(Path.of(initial.supervisor().controlSocket())).isPresent());
            StateRecordFile record = new StateRecordFile(Path.of(initial.supervisor().stateDirectory()), posix.geteuid());
            Optional<List<AdoptedDaemon>> adoptable = preflight.check(record.read().orElse(StateRecord.empty()));
            if (adoptable.isEmpty()) {
                return 1;
            }
            adopted.addAll(adoptable.get());
            preflight.requireRoot();
            prepare(initial, record);
        } catch (MetricsAddressException e) {
            log.error("{}", Diagnostic.error(initial.supervisor().settings().positionOf("metrics-address"),
                    e.getMessage()).format());
            closeAll();
            return 78;
        } catch (PosixException | IOException e) {
            log.error("cannot prepare the host: {}", e.getMessage());
            if (sockets != null && !adopted.isEmpty()) {
                // Their paths stay: the adopted daemons go on serving them, unsupervised, as before this start.
                log.error("the daemons found running ({}) are left running as they are; start virtsup again once"
                        + " this is fixed", adopted.stream().map(a -> a.daemon() + " (pid " + a.pid() + ")").toList());
                sockets.closeLeavingFiles();
            }
            closeAll();
            return 1;
        }
        log.info("virtsup {} (pid {}) supervises {} with the configuration {}", Version.current(), posix.getpid(),
                configuration.daemons(), initial.source().map(Path::toString)
                        .orElse(ConfigurationLoader.EMBEDDED_DEFAULT_NAME));
        // The reaper blocks in waitpid; SIGCHLD only wakes it when it sleeps for want of children.
        JvmSignals.route(name -> supervisor.childChanged(), "CHLD");
        supervisor.startReaper();
        WatchdogInterval.from(environment, posix.getpid()).ifPresent(this::keepWatchdogFed);
        loop.run();
        closeAll();
        return exitCode;
    }

    /** Adopted daemons first, so that Boot finds them running; their pidfds watched from then on. */
    private void boot() {
        Set<Daemon> changed = EnumSet.noneOf(Daemon.class);
        for (AdoptedDaemon daemon : adopted) {
            recorder.adopted(daemon.recorded());
            // Still this process's child after a live re-exec: the reaper has its exit, no pidfd is needed.
            boolean child = ProcessIdentity.parentOf(PROC, daemon.pid()).orElse(0) == posix.getpid();
            supervisor.feed(new Event.Adopted(daemon.daemon(), daemon.pid(), inheritance.restarts(daemon.daemon()),
                    child))
                    .ifPresent(reason -> log.error("{} (pid {}) is not adopted: {}", daemon.daemon(), daemon.pid(),
                            reason));
            sockets.refusal(daemon.daemon(), daemon.pid()).ifPresent(problem -> log.warn(
                    "the adopted {} (pid {}) does not listen on the sockets virtsup holds: {}", daemon.daemon(),
                    daemon.pid(), problem));
            if (child) {
                posix.close(daemon.pidfd());
                ownChildren.add(daemon.daemon());
                inheritance.output(daemon.daemon()).ifPresent(fd -> supervisor.followOutput(daemon.daemon(),
                        daemon.pid(), fd));
            } else {
                watch.watch(daemon);
            }
            if (!daemon.recorded().configurationDigest().equals(digestOf(daemon.daemon()))) {
                changed.add(daemon.daemon());
            }
        }
        inheritance.closeUnclaimed(); // once the adopted daemons took their outputs
        supervisor.feed(new Event.Boot());
        if (!changed.isEmpty()) {
            log.info("{} run with an older configuration than the one in force: applying it as a reload would",
                    changed);
            supervisor.feed(new Event.Reconfigured(configuration.policy(), configuration.daemons(), changed));
        }
    }

    private String digestOf(Daemon daemon) {
        try {
            return StateRecorder.digestOf(files.fileOf(daemon));
        } catch (IOException e) {
            return "";
        }
    }

    private void prepare(Configuration initial, StateRecordFile record) throws IOException {
        // Orphans of the daemons (and guests' QEMU processes) come to virtsup to be reaped.
        posix.becomeChildSubreaper();
        SupervisorConfiguration settings = initial.supervisor();
        // First, before anything on the host changes: an address in use is a configuration error.
        metrics.endpoint().start(settings.metricsAddress());
        // Asked now, before the reaper starts: its waitAny would take libvirtd --version's exit.
        LibvirtdVersion.Answer answer = libvirtdVersion.apply(initial.libvirtdPath());
        if (answer instanceof LibvirtdVersion.Unknown unknown) {
            log.warn("{}; the files are rendered for libvirt {}", unknown.why(), LibvirtVersion.DEBIAN_12);
        }
        LibvirtVersion libvirt = answer.known().orElse(LibvirtVersion.DEBIAN_12);
        log.info("files rendered for libvirt {} ({} --version)", libvirt, initial.libvirtdPath());
        files = new RenderedFiles(Path.of(settings.stateDirectory()), libvirt);
        files.write(initial);
        SocketDirectory.prepareFor(posix, initial);
        sockets = HandedSockets.bind(posix, initial, SocketOwners.ofThisHost(), new HandOffCheck(ProcSockets.ofThisHost()),
                adopted, new SocketTakeBack(posix, ProcSockets.ofThisHost()), inheritance::sockets);
        recorder = new StateRecorder(record, PROC, files::fileOf, sockets::inodes);
        initSystem = Notifier.fromEnvironment(environment);
        supervisor = new SupervisionExecutor(posix, loop, clock, Supervision.initial(configuration.policy(),
                configuration.daemons()), this::program, Observers.andAfterEachStep(sockets.following(
                Observers.andAfterEachStep(new InitSystemReporter(() -> initSystem, posix.getpid(), probed,
                new Followers()), metrics.supervision()::record)), (before, after) -> recorder.stepped(after)), code -> {
                    exitCode = code;
                    loop.stop();
                });
        metrics.supervision().publish(supervisor.state());
        supervisor.gateReadiness(sockets);
        watch = new AdoptedWatch(posix, pid -> loop.post(() -> supervisor.adoptedEnded(pid)));
        probe = new ReadinessProbe(loop, supervisor, daemon -> program(daemon).socket());
        reloads = new ReloadTransaction(posix, reader, configuration, files, supervisor, () -> initSystem,
                this::moveResources);
        reload = metrics.operators().counting(reloads::reload, configuration::get);
        listenForReadiness(files.directory().resolve("notify"));
        int controlGid = posix.groupId(settings.controlGroup()).orElseThrow(() -> new IOException(
                "control-group \"" + settings.controlGroup() + "\" does not exist"));
        LiveReexec reexec = new LiveReexec(posix, loop, supervisor, () -> initSystem,
                () -> ExecCommand.ofThisProcess(PROC, posix.getpid()), environment, new LiveReexec.Holdings(
                        inheritance.generation(), () -> Duration.between(startedAt, clock.instant()),
                        () -> control.stopAcceptingForHandOver(), () -> control.resumeAccepting(), sockets::descriptors,
                        () -> recorder.unrecorded(supervisor.state())));
        ControlServerSettings controlSettings = ControlServerSettings.of(Path.of(settings.controlSocket()),
                settings.controlGroup(), controlGid, settings.startTimeout(), settings.stopTimeout());
        ControlHandler handler = metrics.operators().counting(new ControlBridge(supervisor, this::status, reload,
                reexec::request));
        OptionalInt inheritedControl = inheritance.controlSocket(controlSettings.socket());
        try {
            control = inheritedControl.isPresent()
                    ? ControlServer.serveInherited(controlSettings, handler, posix, inheritedControl.getAsInt())
                    : ControlServer.start(controlSettings, handler, posix);
        } catch (ControlSocketInUseException e) {
            throw new IOException(e.getMessage(), e);
        }
        int controlFd = control.descriptor();
        sockets.keepIn(FdStore.fromEnvironment(environment, posix, inheritance.stored()), Map.of(
                Inheritance.CONTROL_KEY, new FdStore.Entry(controlFd, posix.socketInode(controlFd))));
    }

    private void listenForReadiness(Path notifyDirectory) throws IOException {
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
    }

    /** A reload's moves besides the files: the metrics address (bound first, kept on failure), the held sockets. */
    private Set<Daemon> moveResources(Configuration next) throws IOException {
        MetricsEndpoint.Move metricsMove = metrics.endpoint().prepare(next.supervisor().metricsAddress());
        try {
            Set<Daemon> affected = sockets.reload(next);
            metricsMove.commit();
            return affected;
        } catch (IOException | RuntimeException e) {
            metricsMove.abandon();
            throw e;
        }
    }

    private DaemonProgram program(Daemon daemon) {
        Configuration current = configuration.get();
        Path notify = probed.contains(daemon) || listeners.get(daemon) == null
                ? null : Path.of(listeners.get(daemon).notifySocket());
        RenderedFiles rendered = files != null ? files : new RenderedFiles(Path.of(current.supervisor().stateDirectory()));
        DaemonProgram bare = daemon == Daemon.VIRTLOGD
                ? DaemonProgram.virtlogd(current.virtlog().orElseThrow(), current.prefix(), rendered.fileOf(daemon),
                        notify, environment)
                : DaemonProgram.libvirtd(current.libvirt().orElseThrow(), current.supervisor(), rendered.fileOf(daemon),
                        notify, environment);
        return sockets == null ? bare : sockets.program(daemon, bare);
    }

    private void onSignal(String name) {
        switch (name) {
            case "TERM", "INT" -> {
                log.info("SIG{} received: stopping libvirtd, then virtlogd", name);
                supervisor.feed(new Event.Shutdown());
            }
            case "HUP" -> {
                log.info("SIGHUP received: reloading the configuration");
                reload.get();
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

    private Reply status(Optional<Daemon> only) {
        StatusReport.Virtsup self = new StatusReport.Virtsup(posix.getpid(),
                Duration.between(startedAt, clock.instant()).toSeconds(),
                configuration.get().source().map(Path::toString), configuration.matchesFile(), Version.current(),
                configuration.reloadProblems(), inheritance.generation());
        Map<Daemon, Integer> adoptedPids = new EnumMap<>(Daemon.class);
        adopted.stream().filter(daemon -> !ownChildren.contains(daemon.daemon()))
                .forEach(daemon -> adoptedPids.put(daemon.daemon(), daemon.pid()));
        return AdoptedNotice.on(sockets.withSockets(StatusReports.of(supervisor.state(), supervisor, self, only,
                clock.instant())), adoptedPids);
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
        metrics.endpoint().close();
        if (supervisor != null) {
            supervisor.stopReaper();
        }
        if (watch != null) {
            watch.close();
        }
        listeners.values().forEach(NotifyListener::close);
        if (sockets != null) {
            sockets.close();
        }
        initSystem.close();
    }

    /** What follows a transition outside supervision: socket checks, readiness probes (posted, never inside a step). */
    private final class Followers implements InitSystemReporter.Followers {
        @Override
        public void libvirtdReady() {
            Configuration current = configuration.get();
            current.libvirt().ifPresent(libvirt -> posix.groupId(libvirt.unixSockGroup()).ifPresent(gid -> {
                List<String> problems = SocketDirectory.verify(posix, libvirt, gid);
                problems.forEach(p -> log.error("libvirtd's socket is not as configured: {}", p));
            }));
        }

        @Override
        public void awaitReadiness(Daemon daemon, int pid) {
            loop.post(() -> probe.probe(daemon, pid));
        }
    }

    /** The running version, from the jar's manifest. */
    static final class Version {
        private Version() {}

        static String current() {
            String version = VirtsupRun.class.getPackage().getImplementationVersion();
            return version != null ? version : "development";
        }
    }
}

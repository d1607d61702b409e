package org.virtsup.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.Handover;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.notify.Notifier;
import org.virtsup.posix.ChildExit;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.Signals;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * {@code virtsup reexec}: this virtsup replaced in place by the installed
 * one. The daemons are not touched: they stay this pid's children, their
 * sockets and the control socket cross the exec as open descriptors (named
 * in a {@link Handover}), and the new virtsup adopts the daemons through the
 * state record as after a crash. Lives on the event loop.
 *
 * <p>Refused, with nothing changed, while a daemon is on its way somewhere
 * (its start, stop, restart or backoff would be cut short), while another
 * re-exec is under way, and when the installed code cannot check the
 * configuration in force: it runs {@code virtsup check} with the same
 * arguments first.
 */
final class LiveReexec {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** How long the installed virtsup may take to check the configuration. */
    static final Duration CHECK_PATIENCE = Duration.ofSeconds(60);
    private static final int OUTPUT_LIMIT = 16 * 1024;
    /** Tells the launcher that a check is made for a re-exec of run (see /usr/bin/virtsup). */
    static final String CHECK_FOR_RUN = "VIRTSUP_CHECK_FOR_RUN";
    private static final int LAST_LINES = 10;
    /**
     * The signals virtsup takes orders from, held across the exec (see
     * {@link Posix#execInPlace}): a stop asked while the new JVM starts is
     * carried out once it can, rather than killing it or going unheard.
     */
    static final Set<Integer> ORDERS = Set.of(Signals.TERM, Signals.INT, Signals.HUP, Signals.USR1);

    /**
     * What this virtsup holds besides its daemons.
     *
     * @param generation      how many re-executions came before this virtsup
     * @param up              how long it has been up
     * @param stopAccepting   stops accepting control connections and returns the control socket's descriptor
     * @param resumeAccepting accepts them again, after a failed exec
     * @param heldSockets     the daemons' held sockets' descriptors by name
     * @param unrecorded      why the state record does not name every running daemon as it runs, if it does not:
     *                        the next virtsup would then refuse to adopt it
     */
    record Holdings(int generation, Supplier<Duration> up, IntSupplier stopAccepting, Runnable resumeAccepting,
                    Supplier<Map<String, Integer>> heldSockets, Supplier<Optional<String>> unrecorded) {}

    private final Posix posix;
    private final EventLoop loop;
    private final SupervisionExecutor supervisor;
    private final Supplier<Notifier> initSystem;
    private final Supplier<ExecCommand> command;
    private final Map<String, String> environment;
    private final Holdings holdings;
    private boolean underWay;
    private EventLoop.Timer checkTimer;

    LiveReexec(Posix posix, EventLoop loop, SupervisionExecutor supervisor, Supplier<Notifier> initSystem,
               Supplier<ExecCommand> command, Map<String, String> environment, Holdings holdings) {
        this.posix = posix;
        this.loop = loop;
        this.supervisor = supervisor;
        this.initSystem = initSystem;
        this.command = command;
        this.environment = new TreeMap<>(environment);
        this.environment.remove(Handover.VARIABLE);
        this.holdings = holdings;
    }

    /**
     * Runs the installed virtsup's check; replies and execs once it passed, or
     * replies why not.
     */
    CompletableFuture<Reply> request() {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Optional<String> refusal = underWay ? Optional.of("a re-exec is already under way")
                : unsettled(supervisor.state());
        if (refusal.isPresent()) {
            reply.complete(refused(refusal.get()));
            return reply;
        }
        ExecCommand exec;
        try {
            exec = command.get();
        } catch (RuntimeException e) {
            reply.complete(refused(e.getMessage()));
            return reply;
        }
        Pipe output = posix.pipe();
        int pid;
        try {
            Map<String, String> checkEnvironment = new TreeMap<>(environment);
            checkEnvironment.put(CHECK_FOR_RUN, "1"); // the launcher starts the check with run's JVM flags
            pid = supervisor.spawnAwaited(new SpawnSpec(exec.path(), exec.checkArgv(), checkEnvironment, -1,
                    output.writeFd(), output.writeFd()), exit -> checked(exit, exec, output.readFd(), reply));
        } catch (PosixException | IllegalArgumentException e) {
            posix.close(output.readFd());
            reply.complete(refused("cannot run the installed virtsup: " + e.getMessage()));
            return reply;
        } finally {
            posix.close(output.writeFd());
        }
        underWay = true;
        log.info("re-exec asked: the installed virtsup checks the configuration first ({}, pid {})",
                String.join(" ", exec.checkArgv()), pid);
        // Killed by pid only, and only until its exit is seen: a client that went away changes nothing here.
        checkTimer = loop.schedule(CHECK_PATIENCE, () -> {
            log.warn("the installed virtsup's check (pid {}) still runs after {} s: SIGKILL", pid,
                    CHECK_PATIENCE.toSeconds());
            kill(pid);
        });
        return reply;
    }

    private void checked(ChildExit exit, ExecCommand exec, int outputFd, CompletableFuture<Reply> reply) {
        checkTimer.cancel();
        String output = readAvailable(outputFd);
        Optional<String> refusal;
        try {
            refusal = exit.status() instanceof ExitStatus.Exited exited && exited.code() == 0
                    ? unsettled(supervisor.state()).or(holdings.unrecorded())
                    : Optional.of("the installed virtsup cannot take over: '" + String.join(" ", exec.checkArgv())
                            + "' " + describe(exit.status()) + lastLines(output));
        } catch (RuntimeException e) {
            refusal = Optional.of("internal error: " + e);
        }
        if (refusal.isPresent()) {
            underWay = false;
            reply.complete(refused(refusal.get()));
            return;
        }
        reply.complete(new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.of(posix.getpid()),
                "virtsup (pid " + posix.getpid() + ") re-executes in place; the daemons keep running", List.of()));
        // After the reply is handed to its connection: the exec closes that connection.
        loop.post(() -> exec(exec));
    }

    /**
     * The exec, as the last task it posted: what came in meanwhile (a signal,
     * a daemon's exit, a reload) has been handled, so supervision is judged
     * again and the handover made from what holds now. Any failure leaves
     * this virtsup as it was, accepting control connections again.
     */
    private void exec(ExecCommand exec) {
        Optional<String> refusal = unsettled(supervisor.state()).or(holdings.unrecorded());
        if (refusal.isPresent()) {
            underWay = false;
            log.warn("re-exec abandoned after the check passed: {}", refusal.get());
            return;
        }
        boolean reloading = false;
        try {
            Handover next = handover();
            Set<Integer> inherited = new TreeSet<>(next.sockets().values());
            inherited.addAll(next.outputs().values());
            next.control().ifPresent(inherited::add);
            List<String> env = new ArrayList<>();
            environment.forEach((name, value) -> env.add(name + "=" + value));
            env.add(Handover.VARIABLE + "=" + next.render());
            log.info("re-executing in place: {} (generation {}, descriptors {} kept)",
                    String.join(" ", exec.runArgv()), next.generation(), inherited);
            reloading = true;
            initSystem.get().reloading();
            posix.execInPlace(exec.path(), exec.runArgv(), env, inherited, ORDERS);
        } catch (RuntimeException e) {
            underWay = false;
            log.error("the re-exec failed: {}; this virtsup goes on as it was", e.toString());
            holdings.resumeAccepting().run(); // nothing when accepting never stopped
            if (reloading) {
                initSystem.get().readyAfterReload("re-exec failed: " + e.getMessage());
            }
        }
    }

    /**
     * What the next virtsup inherits, made right before the exec: the control
     * socket stops accepting here (see {@link Holdings#stopAccepting}).
     */
    private Handover handover() {
        Map<String, Integer> restarts = new TreeMap<>();
        Map<String, Integer> outputs = new TreeMap<>();
        for (Daemon daemon : Daemon.values()) {
            restarts.put(daemon.programName(), supervisor.state().daemon(daemon).restarts());
            supervisor.outputOf(daemon).ifPresent(fd -> outputs.put(daemon.programName(), fd));
        }
        int control = holdings.stopAccepting().getAsInt();
        Map<String, Integer> sockets = holdings.heldSockets().get();
        Map<Integer, Long> inodes = new TreeMap<>();
        List<Integer> descriptors = new ArrayList<>(sockets.values());
        descriptors.addAll(outputs.values());
        descriptors.add(control);
        for (int fd : descriptors) {
            try {
                inodes.put(fd, posix.socketInode(fd));
            } catch (PosixException e) {
                log.warn("descriptor {} cannot be named by its inode ({}): the next virtsup will not take it",
                        fd, e.getMessage());
            }
        }
        return new Handover(holdings.generation() + 1, holdings.up().get(), OptionalInt.of(control), sockets,
                restarts, outputs, inodes);
    }

    /** Whether a re-exec was asked and has not yet been refused or carried out. */
    boolean underWay() {
        return underWay;
    }

    /** Why now is not the time: the first daemon on its way somewhere, or virtsup not supervising. */
    static Optional<String> unsettled(Supervision supervision) {
        if (supervision.stage() != Supervision.Stage.SUPERVISING) {
            return Optional.of("virtsup is " + supervision.stage().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + "; a re-exec waits for it to be supervising");
        }
        for (Daemon daemon : Daemon.values()) {
            DaemonState state = supervision.daemon(daemon);
            boolean moving = state.phase() == Phase.STARTING || state.phase() == Phase.STOPPING
                    || state.phase() == Phase.BACKOFF || state.reexecPending();
            if (state.supervised() && moving) {
                return Optional.of(daemon + " is " + state.phase().name().toLowerCase(java.util.Locale.ROOT)
                        + (state.reexecPending() ? " (re-executing)" : "")
                        + "; try again once it is settled (see 'virtsup status')");
            }
        }
        return Optional.empty();
    }

    private static Reply refused(String why) {
        return new Reply.Failure(ErrorCode.FAILED, "re-exec refused: " + why + "; nothing was changed");
    }

    private static String describe(ExitStatus status) {
        return status instanceof ExitStatus.Exited exited ? "exited with " + exited.code()
                : "was killed by " + Signals.describe(((ExitStatus.Killed) status).signal());
    }

    private static String lastLines(String output) {
        List<String> lines = Arrays.stream(output.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (lines.isEmpty()) {
            return "";
        }
        return ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - LAST_LINES), lines.size()));
    }

    /**
     * What the check wrote, at most {@value #OUTPUT_LIMIT} bytes, read without
     * waiting: a process the check left behind may still hold the pipe open,
     * and the event loop must not wait for it.
     */
    private String readAvailable(int fd) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (text.size() < OUTPUT_LIMIT && posix.awaitReadable(fd, 0)) {
                int n = posix.read(fd, buffer);
                if (n <= 0) {
                    break;
                }
                text.write(buffer, 0, n);
            }
        } catch (PosixException e) {
            log.debug("reading the check's output: {}", e.getMessage());
        } finally {
            posix.close(fd);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    private void kill(int pid) {
        try {
            posix.kill(pid, Signals.KILL);
        } catch (PosixException e) {
            log.debug("the check (pid {}) is already gone: {}", pid, e.getMessage());
        }
    }
}

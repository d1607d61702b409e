package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.Signals;
import org.virtsup.posix.SpawnSpec;
import org.virtsup.sockets.HandOffCheck;
import org.virtsup.sockets.HeldSocket;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;

/** The supervisor with held sockets: handed at each spawn, checked at readiness, renewed after a refusal. */
class HandedSocketsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** What /proc shows of each child: the sockets it holds, and the listening unix sockets by path. */
    private final Map<Integer, Set<Long>> held = new ConcurrentHashMap<>();
    private final Map<Long, String> listening = new ConcurrentHashMap<>();
    private final ProcSockets proc = new ProcSockets() {
        @Override
        public Set<Long> heldBy(int pid) {
            return held.getOrDefault(pid, Set.of());
        }

        @Override
        public Map<Long, String> listeningUnix(int pid) {
            return new HashMap<>(listening);
        }
    };
    private final FakePosix posix = new FakePosix()
            .onSpawn("/bin/sh", ChildBehaviour.daemon())
            .addExecutable("/usr/sbin/virtlogd")
            .addExecutable("/usr/sbin/libvirtd")
            .addGroup("root", 0)
            .addDirectory("/run/libvirt", 0, 0, 0755)
            .addDirectory("/var/run/libvirt", 0, 0, 0755);
    private ExecutorUnderTest run;
    private HandedSockets sockets;

    @AfterEach
    void stop() {
        if (run != null) {
            run.close();
        }
    }

    private void start() throws IOException {
        run = new ExecutorUnderTest(posix, SupervisionExecutorTest.BOTH);
        sockets = HandedSockets.bind(posix, run.configuration, path -> Optional.empty(), new HandOffCheck(proc));
        run.handed = sockets;
        run.onLoop(() -> {
            run.supervisor.gateReadiness(sockets);
            return null;
        });
    }

    /** The child took every socket it was handed, as /proc would show it. */
    private void takes(int pid, SpawnSpec spec) {
        Set<Long> inodes = new java.util.HashSet<>();
        for (int fd : spec.passed()) {
            inodes.add(posix.socketInode(fd));
        }
        held.put(pid, inodes);
    }

    /** Boots; virtlogd takes its sockets and is ready; returns libvirtd's spawn. */
    private FakePosix.Spawned startUpToLibvirtdsSpawn() throws IOException {
        start();
        run.boot();
        FakePosix.Spawned virtlogd = posix.awaitSpawned(1, WAIT);
        takes(virtlogd.pid(), virtlogd.spec());
        run.ready(Daemon.VIRTLOGD);
        return posix.awaitSpawned(2, WAIT);
    }

    private List<Long> inodesOf(Daemon daemon) {
        return run.onLoop(() -> sockets.status(daemon).stream().map(s -> s.socket().inode()).toList());
    }

    @Test
    void eachDaemonIsHandedItsSocketsFromThreeOnThroughTheExecInPlaceStep() throws IOException {
        start();
        run.boot();
        FakePosix.Spawned virtlogd = posix.awaitSpawned(1, WAIT);
        assertEquals("/bin/sh", virtlogd.spec().path());
        assertEquals(List.of("sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", "/usr/sbin/virtlogd", "-f",
                ExecutorUnderTest.STATE_DIRECTORY + "/virtlogd.conf"), virtlogd.spec().argv());
        assertEquals("virtlogd.socket:virtlogd-admin.socket", virtlogd.spec().environment().get("LISTEN_FDNAMES"));
        assertEquals("2", virtlogd.spec().environment().get("LISTEN_FDS"));
        assertEquals(2, virtlogd.spec().passed().size());

        takes(virtlogd.pid(), virtlogd.spec());
        run.ready(Daemon.VIRTLOGD);
        FakePosix.Spawned libvirtd = posix.awaitSpawned(2, WAIT);
        assertEquals("libvirtd.socket:libvirtd-ro.socket:libvirtd-admin.socket",
                libvirtd.spec().environment().get("LISTEN_FDNAMES"));
        takes(libvirtd.pid(), libvirtd.spec());
        run.ready(Daemon.LIBVIRTD);

        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.RUNNING, "runs");
        assertTrue(run.onLoop(() -> sockets.status(Daemon.LIBVIRTD)).stream().allMatch(HandOffCheck.SocketState::listening));
    }

    @Test
    void aDaemonThatBindsItsOwnSocketsIsAFailedStartAndGetsFreshOnesNextTime() throws IOException {
        FakePosix.Spawned libvirtd = startUpToLibvirtdsSpawn();
        List<Long> handed = inodesOf(Daemon.LIBVIRTD);
        // libvirtd refusing the hand-off (wrong LISTEN_PID): it keeps the inherited descriptors
        // unused and listens on a socket of its own at the same path.
        Set<Long> own = new java.util.HashSet<>(handed);
        own.add(99_001L);
        held.put(libvirtd.pid(), own);
        listening.put(99_001L, "/var/run/libvirt/libvirt-sock");

        run.ready(Daemon.LIBVIRTD);

        posix.awaitSignal(libvirtd.pid(), Signals.TERM, WAIT);
        DaemonState after = run.awaitState(Daemon.LIBVIRTD, s -> s.pid() != libvirtd.pid(), "has ended");
        assertNotEquals(Phase.RUNNING, after.phase(), "never counted as running");
        assertEquals(1, after.failedStarts(), "one failed start: " + after);
        assertNotEquals(handed, inodesOf(Daemon.LIBVIRTD), "new sockets replace the ones it unlinked");
    }

    /**
     * virtlogd says READY=1 again after its re-exec; a check that then finds its
     * sockets missing is logged, never acted on: stopping a running virtlogd would
     * cut every guest's console log.
     */
    @Test
    void aRunningDaemonFailingTheCheckIsNeverStopped() throws IOException {
        FakePosix.Spawned libvirtd = startUpToLibvirtdsSpawn();
        takes(libvirtd.pid(), libvirtd.spec());
        run.ready(Daemon.LIBVIRTD);
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.RUNNING, "runs");
        int virtlogd = run.onLoop(() -> run.supervisor.state().daemon(Daemon.VIRTLOGD).pid());
        held.put(virtlogd, Set.of());

        run.ready(Daemon.VIRTLOGD);
        // A step after it: once it is done, the READY=1 before it was handled too.
        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Start(Daemon.LIBVIRTD)));

        assertEquals(List.of(), posix.signalsSentTo(virtlogd));
        DaemonState after = run.onLoop(() -> run.supervisor.state().daemon(Daemon.VIRTLOGD));
        assertEquals(Phase.RUNNING, after.phase());
        assertEquals(virtlogd, after.pid());
    }

    /**
     * A restart spawns the next process in the very step that handles the
     * exit: the fresh sockets a refusing process calls for must be bound
     * before that spawn, not after it (the next process was handed the old,
     * unlinked ones, and the renewal then found it serving their paths).
     */
    @Test
    void aRestartRightAfterARefusingProcessHandsTheNextOneFreshSockets() throws IOException {
        FakePosix.Spawned libvirtd = startUpToLibvirtdsSpawn();
        takes(libvirtd.pid(), libvirtd.spec());
        run.ready(Daemon.LIBVIRTD);
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.RUNNING, "runs");
        FakePosix.Spawned virtlogd = posix.spawned().get(0);
        List<Long> handed = inodesOf(Daemon.VIRTLOGD);
        held.put(virtlogd.pid(), Set.of()); // after its re-exec it holds none of them: logged, not acted on
        run.ready(Daemon.VIRTLOGD);

        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Restart(Daemon.VIRTLOGD)));

        FakePosix.Spawned next = posix.awaitSpawned(3, WAIT);
        Set<Long> given = new java.util.HashSet<>();
        next.spec().passed().forEach(fd -> given.add(posix.socketInode(fd)));
        assertEquals(Set.copyOf(inodesOf(Daemon.VIRTLOGD)), given, "handed the sockets virtsup holds now");
        assertTrue(given.stream().noneMatch(handed::contains), "fresh sockets, not the ones it unlinked: " + given);
    }

    /** A daemon stopped on request leaves no backlog behind for clients to hang in; a start binds again. */
    @Test
    void aStoppedDaemonsSocketsAreClosedAndBoundAgainAtItsNextStart() throws IOException {
        FakePosix.Spawned libvirtd = startUpToLibvirtdsSpawn();
        takes(libvirtd.pid(), libvirtd.spec());
        run.ready(Daemon.LIBVIRTD);
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.RUNNING, "runs");
        List<Long> before = inodesOf(Daemon.LIBVIRTD);

        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Stop(Daemon.LIBVIRTD)));
        run.awaitState(Daemon.LIBVIRTD, s -> s.phase() == Phase.STOPPED, "stopped");
        org.virtsup.run.Eventually.until(() -> run.onLoop(() -> sockets.status(Daemon.LIBVIRTD)).isEmpty(),
                () -> "libvirtd's sockets released");
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> posix.stat("/var/run/libvirt/libvirt-sock"));

        run.onLoop(() -> run.supervisor.feed(new org.virtsup.supervise.Event.Start(Daemon.LIBVIRTD)));
        FakePosix.Spawned again = posix.awaitSpawned(3, WAIT);
        assertEquals(3, again.spec().passed().size());
        assertTrue(posix.stat("/var/run/libvirt/libvirt-sock").socket());
        assertNotEquals(before, inodesOf(Daemon.LIBVIRTD));
    }

    /** Through the exec-in-place shell a missing daemon would only exit 127: it fails the spawn, naming errno. */
    @Test
    void aMissingOrNonExecutableDaemonFailsTheSpawnAsADirectSpawnWould() throws IOException {
        posix.chmod("/usr/sbin/virtlogd", 0644);
        start();
        run.boot();
        DaemonState virtlogd = run.awaitState(Daemon.VIRTLOGD, s -> s.failedStarts() > 0, "fails to start");
        assertEquals(Optional.of("cannot start virtlogd: spawn /usr/sbin/virtlogd: EACCES"), virtlogd.problem());
        assertTrue(posix.spawned().isEmpty(), "no shell was started for it");
    }
}

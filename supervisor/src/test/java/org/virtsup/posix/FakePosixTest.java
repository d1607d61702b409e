package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the fake does beyond the shared contract: scripting, history, non-root failures, threads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FakePosixTest {
    private static final String LIBVIRTD = "/usr/sbin/libvirtd";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final FakePosix fake = new FakePosix();

    @Test
    void recordsSpawnsSignalsAndCalls() {
        fake.onSpawn(LIBVIRTD, ChildBehaviour.daemon());
        SpawnSpec spec = new SpawnSpec(LIBVIRTD, List.of("libvirtd", "--timeout=0"), Map.of("A", "1"), -1, -1, -1);
        int pid = fake.spawn(spec);
        fake.kill(pid, Signals.HUP);
        fake.kill(pid, 0);

        assertEquals(List.of(new FakePosix.Spawned(pid, spec)), fake.spawned());
        assertEquals(List.of(Signals.HUP), fake.signalsSentTo(pid), "signal 0 only probes");
        assertEquals(List.of("spawn /usr/sbin/libvirtd libvirtd --timeout=0", "kill " + pid + " SIGHUP",
                "kill " + pid + " 0"), fake.calls());
        assertTrue(fake.isRunning(pid), "a daemon survives HUP");
    }

    @Test
    void aDaemonExitsCleanlyOnTermAndSurvivesUsr1WithItsPid() {
        fake.onSpawn(LIBVIRTD, ChildBehaviour.daemon());
        int pid = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        fake.kill(pid, Signals.USR1);
        assertTrue(fake.isRunning(pid));
        fake.kill(pid, Signals.TERM);
        assertTrue(fake.isZombie(pid));
        assertEquals(new ChildExit(pid, new ExitStatus.Exited(0)), fake.waitAny());
    }

    @Test
    void behavioursCanChangeFromOneStartToTheNext() {
        fake.onSpawn(LIBVIRTD, ChildBehaviour.inTurn(ChildBehaviour.exitsWith(1), ChildBehaviour.exitsWith(2),
                ChildBehaviour.ignoresTerm()));
        int first = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        int second = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        int third = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        int fourth = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        assertEquals(new ChildExit(first, new ExitStatus.Exited(1)), fake.waitAny());
        assertEquals(new ChildExit(second, new ExitStatus.Exited(2)), fake.waitAny());
        fake.kill(third, Signals.TERM);
        fake.kill(fourth, Signals.TERM);
        assertEquals(List.of(third, fourth), fake.runningChildren(), "the last behaviour repeats");
    }

    @Test
    void aChildThatIgnoresTermNeedsKill() {
        fake.onSpawn(LIBVIRTD, ChildBehaviour.ignoresTerm());
        int pid = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        fake.kill(pid, Signals.TERM);
        assertTrue(fake.isRunning(pid));
        fake.kill(pid, Signals.KILL);
        assertEquals(new ExitStatus.Killed(Signals.KILL, false), fake.waitAny().status());
        assertEquals(List.of(Signals.TERM, Signals.KILL), fake.signalsSentTo(pid));
    }

    @Test
    void defaultDispositionsIgnoreChldAndWinch() {
        fake.addExecutable("/bin/sleep");
        int pid = fake.spawn(SpawnSpec.of("/bin/sleep", "sleep"));
        fake.kill(pid, Signals.CHLD);
        fake.kill(pid, 28);
        assertTrue(fake.isRunning(pid));
        fake.kill(pid, Signals.USR1);
        assertEquals(new ExitStatus.Killed(Signals.USR1, false), fake.waitAny().status());
    }

    @Test
    void aTestEndsChildrenWithExitOrDie() {
        fake.addExecutable("/bin/a");
        int first = fake.spawn(SpawnSpec.of("/bin/a", "a"));
        int second = fake.spawn(SpawnSpec.of("/bin/a", "a"));
        assertEquals(List.of(first, second), fake.runningChildren());
        fake.die(second, Signals.SEGV);
        fake.exit(first, 2);
        assertEquals(new ChildExit(second, new ExitStatus.Killed(Signals.SEGV, false)), fake.waitAny());
        assertEquals(new ChildExit(first, new ExitStatus.Exited(2)), fake.waitAny());
        assertThrows(IllegalStateException.class, () -> fake.exit(first, 0), "already reaped");
        assertThrows(IllegalStateException.class, () -> fake.exit(4711, 0), "never existed");
    }

    @Test
    void waitAnyBlocksUntilAChildEnds() throws Exception {
        fake.addExecutable("/bin/a");
        int pid = fake.spawn(SpawnSpec.of("/bin/a", "a"));
        CompletableFuture<ChildExit> reaped = CompletableFuture.supplyAsync(fake::waitAny);
        await("waitAny is called", () -> fake.calls().contains("waitAny"));
        assertFalse(reaped.isDone(), "waitAny returned while the child runs");
        fake.exit(pid, 7);
        assertEquals(new ChildExit(pid, new ExitStatus.Exited(7)), reaped.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aReaperThreadAndASpawningThreadWorkTogether() throws Exception {
        fake.onSpawn("/bin/quick", ChildBehaviour.exitsWith(0));
        // Without a child, waitAny fails with ECHILD at once, as waitpid does: the
        // anchor keeps the reaper blocked between quick children.
        fake.addExecutable("/bin/anchor");
        int anchor = fake.spawn(SpawnSpec.of("/bin/anchor", "anchor"));
        int children = 200;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reaper = threads.submit(() -> {
                int reaped = 0;
                while (reaped < children) {
                    fake.waitAny();
                    reaped++;
                }
                return reaped;
            });
            threads.submit(() -> {
                for (int i = 0; i < children; i++) {
                    fake.spawn(SpawnSpec.of("/bin/quick", "quick"));
                }
            }).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(children, reaper.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            fake.kill(anchor, Signals.TERM);
            assertEquals(anchor, fake.waitAny().pid());
            assertEquals(Errno.ECHILD, assertThrows(PosixException.class, fake::waitAny).errno());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void awaitSpawnedWaitsForTheNthSpawn() throws Exception {
        fake.addExecutable("/bin/a");
        CompletableFuture<FakePosix.Spawned> second =
                CompletableFuture.supplyAsync(() -> fake.awaitSpawned(2, DEADLINE));
        fake.spawn(SpawnSpec.of("/bin/a", "first"));
        int pid = fake.spawn(SpawnSpec.of("/bin/a", "second"));
        assertEquals(pid, second.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).pid());
        assertThrows(AssertionError.class, () -> fake.awaitSpawned(3, Duration.ofMillis(20)));
    }

    @Test
    void waitsForSignalsAndReaping() throws Exception {
        fake.onSpawn(LIBVIRTD, ChildBehaviour.daemon());
        int pid = fake.spawn(SpawnSpec.of(LIBVIRTD, "libvirtd"));
        CompletableFuture<Void> stopper = CompletableFuture.runAsync(() -> {
            fake.kill(pid, Signals.TERM);
            fake.waitAny();
        });
        fake.awaitSignal(pid, Signals.TERM, DEADLINE);
        fake.awaitReaped(pid, DEADLINE);
        stopper.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertThrows(AssertionError.class, () -> fake.awaitSignal(pid, Signals.KILL, Duration.ofMillis(20)));
    }

    @Test
    void aChildWritesIntoThePipeItWasGiven() {
        fake.addExecutable("/bin/a");
        Pipe pipe = fake.pipe();
        int pid = fake.spawn(SpawnSpec.of("/bin/a", "a").withStdio(-1, pipe.writeFd(), pipe.writeFd()));
        fake.close(pipe.writeFd());
        FakeChild child = fake.child(pid);
        child.writeStdout("out ");
        child.writeStderr("err");
        byte[] buffer = new byte[64];
        int count = fake.read(pipe.readFd(), buffer);
        assertEquals("out err", new String(buffer, 0, count, java.nio.charset.StandardCharsets.UTF_8));
        child.exit(0);
        assertEquals(0, fake.read(pipe.readFd(), buffer), "the last writer is gone");
    }

    @Test
    void aNonRootUserCannotChownNorSignalOthers() {
        fake.addFile("/etc/libvirt/libvirtd.conf", 0, 0, 0644);
        fake.addProcess(300, 0);
        fake.asUser(1000, 1000);
        assertEquals("chown /etc/libvirt/libvirtd.conf: EPERM",
                assertThrows(PosixException.class, () -> fake.chown("/etc/libvirt/libvirtd.conf", 1000, 1000)).getMessage());
        assertEquals(Errno.EPERM, assertThrows(PosixException.class, () -> fake.chmod("/etc/libvirt/libvirtd.conf", 0600)).errno());
        assertEquals(Errno.EPERM, assertThrows(PosixException.class, () -> fake.kill(300, Signals.TERM)).errno());
        assertEquals(Errno.EACCES, assertThrows(PosixException.class, () -> fake.mkdirs("/etc/libvirt/x", 0755)).errno());
    }

    @Test
    void aNonRootUserNeedsTheExecuteBitOfItsClass() {
        fake.addFile("/opt/root-only", 0, 0, 0700);
        fake.addFile("/opt/everyone", 0, 0, 0755);
        fake.asUser(1000, 1000);
        assertEquals(Errno.EACCES, assertThrows(PosixException.class, () -> fake.spawn(SpawnSpec.of("/opt/root-only", "x"))).errno());
        int pid = fake.spawn(SpawnSpec.of("/opt/everyone", "x"));
        fake.kill(pid, Signals.TERM); // its own child runs as the same user
    }

    @Test
    void rootMaySignalAnyProcessAndAForeignOneIsNotReapedHere() {
        fake.addProcess(300, 107);
        fake.kill(300, Signals.TERM);
        assertFalse(fake.isRunning(300));
        assertEquals(Errno.ESRCH, assertThrows(PosixException.class, () -> fake.kill(300, 0)).errno());
        assertEquals(Errno.ECHILD, assertThrows(PosixException.class, fake::waitAny).errno());
    }

    @Test
    void aLockGoesWithItsHolderAndOurOwnLocksAreNotSeen() {
        fake.addFile("/run/libvirt/virtlogd.pid", 0, 0, 0644);
        fake.addProcess(300, 0);
        fake.holdLock("/run/libvirt/virtlogd.pid", 300);
        assertEquals(OptionalInt.of(300), fake.lockHolder("/run/libvirt/virtlogd.pid"));
        fake.die(300, Signals.KILL);
        assertEquals(OptionalInt.empty(), fake.lockHolder("/run/libvirt/virtlogd.pid"));

        fake.withPid(42).addProcess(42, 0);
        fake.holdLock("/run/libvirt/virtlogd.pid", 42);
        assertEquals(OptionalInt.empty(), fake.lockHolder("/run/libvirt/virtlogd.pid"), "F_GETLK ignores our own locks");
    }

    @Test
    void mkdirsCreatesAsTheCurrentUser() {
        fake.addDirectory("/home/u", 1000, 1000, 0755);
        fake.asUser(1000, 1000);
        fake.mkdirs("/home/u/a/b", 0700);
        FileStatus status = fake.stat("/home/u/a/b");
        assertEquals(FileStatus.of(1000, 1000, FileStatus.S_IFDIR | 0700), status);
    }

    @Test
    void pathsBeneathAFileFailWithEnotdir() {
        fake.addFile("/etc/file", 0, 0, 0644);
        assertEquals(Errno.ENOTDIR, assertThrows(PosixException.class, () -> fake.stat("/etc/file/x")).errno());
        assertEquals(Errno.ENOTDIR, assertThrows(PosixException.class, () -> fake.spawn(SpawnSpec.of("/etc/file/x", "x"))).errno());
    }

    @Test
    void becomingASubreaperIsRecorded() {
        assertFalse(fake.isChildSubreaper());
        fake.becomeChildSubreaper();
        assertTrue(fake.isChildSubreaper());
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}

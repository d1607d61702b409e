package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.virtsup.supervise.Daemon.LIBVIRTD;
import static org.virtsup.supervise.Daemon.VIRTLOGD;
import static org.virtsup.supervise.FakeExecutor.messages;
import static org.virtsup.supervise.FakeExecutor.only;
import static org.virtsup.supervise.FakeExecutor.signals;
import static org.virtsup.supervise.FakeExecutor.spawns;
import static org.virtsup.supervise.LifecycleTest.assertPhase;
import static org.virtsup.supervise.Rows.effects;
import static org.virtsup.supervise.Rows.logs;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Lifecycle.Transition;

/** Daemons an earlier virtsup started, taken over as they run: the Adopt row and its scenarios. */
class AdoptionTest {
    static final Termination UNKNOWN = new Termination.Unknown();

    final Rows virtd = new Rows(LIBVIRTD, Policy.defaults());

    @Test
    void adoptMakesAStoppedDaemonRunningWithoutSpawningOrSignalling() {
        Transition t = virtd.step(virtd.stopped(), new Lifecycle.Adopt(812));
        assertPhase(Phase.RUNNING, Goal.UP, t);
        assertEquals(812, t.state().pid());
        assertEquals(Optional.of(Rows.T0), t.state().readyAt());
        assertEquals(List.of(), effects(t));
        assertEquals(List.of("INFO libvirtd (pid 812) adopted: an earlier virtsup started it and it still runs as"
                + " recorded; it is not virtsup's child, so how it ends will not be known"), logs(t.actions()));
    }

    @Test
    void adoptedAcrossAReexecItKeepsItsRestartCountAndTheNextRestartCountsOn() {
        Transition t = virtd.step(virtd.stopped(), new Lifecycle.Adopt(812, 4, true));
        assertPhase(Phase.RUNNING, Goal.UP, t);
        assertEquals(4, t.state().restarts());
        assertEquals(List.of("INFO libvirtd (pid 812) adopted across virtsup's re-exec: still its child, supervised as"
                + " before"), logs(t.actions()));
        Transition died = virtd.step(t.state(), new Lifecycle.Exited(812, new Termination.Killed(9, false)));
        assertEquals(5, died.state().restarts());
    }

    @Test
    void adoptChangesNothingOnceTheDaemonHasAProcess() {
        DaemonState running = virtd.running(100);
        Transition t = virtd.step(running, new Lifecycle.Adopt(812));
        assertEquals(running, t.state());
        assertEquals(List.of(), t.actions());
    }

    @Test
    void theEndOfAnAdoptedDaemonIsAFailureWhoseStatusIsUnknownAndItIsRestarted() {
        DaemonState adopted = virtd.step(virtd.stopped(), new Lifecycle.Adopt(812)).state();
        Transition t = virtd.step(adopted, new Lifecycle.Exited(812, UNKNOWN));
        assertPhase(Phase.STARTING, Goal.UP, t);
        assertEquals(List.of(new Action.Spawn(LIBVIRTD)), effects(t));
        assertEquals(Optional.of(new DaemonState.LastExit(812, UNKNOWN, Rows.T0)), t.state().lastExit());
        assertEquals(List.of("WARNING libvirtd (pid 812) ended (exit status unknown: not our child); restarting now"
                + " (restart 1)"), logs(t.actions()));
    }

    @Test
    void anAdoptedDaemonIsStoppedLikeAnyOther() {
        DaemonState adopted = virtd.step(virtd.stopped(), new Lifecycle.Adopt(812)).state();
        Transition t = virtd.step(adopted, new Lifecycle.Stop());
        assertPhase(Phase.STOPPING, Goal.DOWN, t);
        assertTrue(effects(t).contains(new Action.SendSignal(LIBVIRTD, 812, Signal.TERM)), effects(t).toString());
    }

    @Test
    void bothAdoptedBeforeBootAreReadyAtBootAndNothingIsSpawned() {
        FakeExecutor run = FakeExecutor.both();
        run.feed(new Event.Adopted(VIRTLOGD, 811));
        run.feed(new Event.Adopted(LIBVIRTD, 812));
        List<Action> boot = run.boot();
        assertEquals(List.of(), spawns(boot));
        assertEquals(List.of(), signals(boot));
        assertEquals(List.of(new Action.ReportReady()), only(Action.ReportReady.class, boot));
        assertTrue(messages(boot).contains("ready: virtlogd (pid 811), libvirtd (pid 812) running"), messages(boot)
                .toString());
    }

    @Test
    void anAdoptedLibvirtdWaitsForNothingWhileVirtlogdIsStartedAfresh() {
        FakeExecutor run = FakeExecutor.both();
        run.feed(new Event.Adopted(LIBVIRTD, 812));
        assertEquals(List.of(VIRTLOGD), spawns(run.boot()));
        assertEquals(Phase.RUNNING, run.state(LIBVIRTD).phase());
        assertEquals(812, run.pid(LIBVIRTD));
    }

    @Test
    void anAdoptedDaemonThatEndsIsRestartedAsAChild() {
        FakeExecutor run = FakeExecutor.both();
        run.feed(new Event.Adopted(VIRTLOGD, 811));
        run.feed(new Event.Adopted(LIBVIRTD, 812));
        run.boot();
        List<Action> ended = run.feed(new Event.Exited(812, UNKNOWN));
        assertEquals(List.of(LIBVIRTD), spawns(ended));
        assertEquals(Phase.STARTING, run.state(LIBVIRTD).phase());
        run.ready(LIBVIRTD);
        assertEquals(Phase.RUNNING, run.state(LIBVIRTD).phase());
        assertEquals(1, run.state(LIBVIRTD).restarts());
    }

    @Test
    void adoptionIsRefusedOnceVirtsupStartedItsDaemonsOrForAnUndeclaredDaemon() {
        FakeExecutor run = FakeExecutor.both();
        run.boot();
        List<Action> late = run.feed(new Event.Adopted(LIBVIRTD, 812));
        assertEquals(List.of(new Action.Rejected("a running daemon is adopted only before virtsup starts its daemons")),
                only(Action.Rejected.class, late));
        assertEquals(Phase.STOPPED, run.state(LIBVIRTD).phase());

        FakeExecutor virtlogdOnly = new FakeExecutor(Set.of(VIRTLOGD));
        List<Action> undeclared = virtlogdOnly.feed(new Event.Adopted(LIBVIRTD, 812));
        assertEquals(1, only(Action.Rejected.class, undeclared).size());
        assertEquals(Phase.STOPPED, virtlogdOnly.state(LIBVIRTD).phase());
    }

    @Test
    void shutdownStopsAdoptedDaemonsInOrder() {
        FakeExecutor run = FakeExecutor.both();
        run.feed(new Event.Adopted(VIRTLOGD, 811));
        run.feed(new Event.Adopted(LIBVIRTD, 812));
        run.boot();
        List<Action> shutdown = run.feed(new Event.Shutdown());
        assertEquals(List.of(new Action.SendSignal(LIBVIRTD, 812, Signal.TERM)), signals(shutdown));
        List<Action> libvirtdGone = run.feed(new Event.Exited(812, UNKNOWN));
        assertEquals(List.of(new Action.SendSignal(VIRTLOGD, 811, Signal.TERM)), signals(libvirtdGone));
        List<Action> virtlogdGone = run.feed(new Event.Exited(811, UNKNOWN));
        assertEquals(1, only(Action.Exit.class, virtlogdGone).size());
    }
}

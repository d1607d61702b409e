package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.virtsup.supervise.Daemon.LIBVIRTD;
import static org.virtsup.supervise.Daemon.VIRTLOGD;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Completion.Verdict;

/** When the control server may answer an operator's command. */
class CompletionTest {
    static final Termination CODE_0 = new Termination.Exited(0);
    static final Termination CODE_1 = new Termination.Exited(1);
    static final Verdict PENDING = new Verdict.Pending();

    final FakeExecutor run = FakeExecutor.both();

    Completion command(Event command) {
        Supervision before = run.supervision;
        Step step = before.on(command, run.now);
        // Carry the command out through the executor so that spawns are answered as they would be.
        run.supervision = before;
        run.feed(command);
        return Completion.of(command, before, step);
    }

    @Test
    void startIsDoneOnceTheDaemonIsReady() {
        run.bootBothReady();
        run.feed(new Event.Stop(LIBVIRTD));
        run.exits(LIBVIRTD, CODE_0);
        Completion start = command(new Event.Start(LIBVIRTD));
        assertEquals(PENDING, start.judge(run.supervision));
        run.ready(LIBVIRTD);
        assertEquals(new Verdict.Done("libvirtd (pid 102) is running"), start.judge(run.supervision));
    }

    @Test
    void startOfARunningDaemonIsDoneAtOnce() {
        run.bootBothReady();
        assertEquals(new Verdict.Done("libvirtd (pid 101) is running"),
                command(new Event.Start(LIBVIRTD)).judge(run.supervision));
    }

    @Test
    void startFailsWithTheReasonOfTheFailedStart() {
        run.bootBothReady();
        run.feed(new Event.Stop(LIBVIRTD));
        run.exits(LIBVIRTD, CODE_0);
        Completion start = command(new Event.Start(LIBVIRTD));
        run.exits(LIBVIRTD, CODE_1);
        assertEquals(new Verdict.Failed("libvirtd (pid 102) exited with code 1 before it was ready"),
                start.judge(run.supervision));
    }

    @Test
    void startFailsWhenStoppedMeanwhile() {
        run.bootBothReady();
        run.feed(new Event.Stop(LIBVIRTD));
        run.exits(LIBVIRTD, CODE_0);
        Completion start = command(new Event.Start(LIBVIRTD));
        run.feed(new Event.Shutdown());
        assertEquals(new Verdict.Failed("libvirtd was stopped before it was ready"), start.judge(run.supervision));
    }

    @Test
    void restartIsDoneOnlyWithANewProcess() {
        run.bootBothReady();
        Completion restart = command(new Event.Restart(VIRTLOGD));
        assertEquals(PENDING, restart.judge(run.supervision));
        run.exits(VIRTLOGD, CODE_0);
        assertEquals(PENDING, restart.judge(run.supervision));
        run.ready(VIRTLOGD);
        assertEquals(new Verdict.Done("virtlogd (pid 102) is running"), restart.judge(run.supervision));
    }

    @Test
    void stopIsDoneOnceItExited() {
        run.bootBothReady();
        Completion stop = command(new Event.Stop(LIBVIRTD));
        assertEquals(PENDING, stop.judge(run.supervision));
        run.advance(Duration.ofSeconds(20)); // SIGKILL
        assertEquals(PENDING, stop.judge(run.supervision));
        run.exits(LIBVIRTD, new Termination.Killed(9, false));
        assertEquals(new Verdict.Done("libvirtd is stopped"), stop.judge(run.supervision));
    }

    @Test
    void stopFailsWhenStartedAgainMeanwhile() {
        run.bootBothReady();
        Completion stop = command(new Event.Stop(LIBVIRTD));
        run.feed(new Event.Start(LIBVIRTD));
        assertEquals(new Verdict.Failed("libvirtd was started again before it stopped"), stop.judge(run.supervision));
    }

    @Test
    void reloadOfVirtlogdIsDoneWhenItIsReadyAgainWithTheSamePid() {
        run.bootBothReady();
        Completion reload = command(new Event.Reload(VIRTLOGD));
        assertEquals(PENDING, reload.judge(run.supervision));
        run.ready(VIRTLOGD);
        assertEquals(new Verdict.Done("virtlogd (pid 100) re-executed itself and re-read its configuration"),
                reload.judge(run.supervision));
    }

    @Test
    void reloadOfVirtlogdFailsWhenItDies() {
        run.bootBothReady();
        Completion reload = command(new Event.Reload(VIRTLOGD));
        run.exits(VIRTLOGD, CODE_1);
        assertEquals(new Verdict.Failed("virtlogd (pid 100) exited with code 1 while re-executing itself"),
                reload.judge(run.supervision));
    }

    @Test
    void signalsAreDoneAtOnce() {
        run.bootBothReady();
        assertEquals(new Verdict.Done("signal sent to libvirtd (pid 101)"),
                command(new Event.Reload(LIBVIRTD)).judge(run.supervision));
        assertEquals(new Verdict.Done("signal sent to virtlogd (pid 100)"),
                command(new Event.Forward(VIRTLOGD, new Signal(12))).judge(run.supervision));
    }

    @Test
    void refusalsFailWithTheirReason() {
        FakeExecutor libvirtdOnly = new FakeExecutor(Set.of(LIBVIRTD));
        libvirtdOnly.boot();
        Supervision before = libvirtdOnly.supervision;
        Event start = new Event.Start(VIRTLOGD);
        Completion completion = Completion.of(start, before, before.on(start, libvirtdOnly.now));
        assertEquals(new Verdict.Failed("virtlogd is not supervised: the configuration declares no virtlog-service-type"),
                completion.judge(before));
    }

    @Test
    void aReconfigurationIsDoneOnceTheRestartedDaemonIsReady() {
        run.bootBothReady();
        Completion reload = command(new Event.Reconfigured(Policy.defaults(), Set.of(VIRTLOGD, LIBVIRTD),
                Set.of(LIBVIRTD)));
        assertEquals(PENDING, reload.judge(run.supervision));
        run.exits(LIBVIRTD, CODE_0);
        assertEquals(PENDING, reload.judge(run.supervision));
        run.ready(LIBVIRTD);
        assertEquals(new Verdict.Done("every daemon is ready"), reload.judge(run.supervision));
    }

    /** A daemon stopped on request does not hold a reconfiguration: it is not wanted up. */
    @Test
    void aDaemonStoppedOnRequestDoesNotHoldAReconfiguration() {
        run.bootBothReady();
        run.feed(new Event.Stop(VIRTLOGD));
        run.exits(VIRTLOGD, CODE_0);
        Completion reload = command(new Event.Reconfigured(Policy.defaults(), Set.of(VIRTLOGD, LIBVIRTD),
                Set.of(LIBVIRTD)));
        run.exits(LIBVIRTD, CODE_0);
        assertEquals(PENDING, reload.judge(run.supervision), "libvirtd starts again");
        run.ready(LIBVIRTD);
        assertEquals(new Verdict.Done("every daemon is ready"), reload.judge(run.supervision));
    }

    /** A SIGHUP before the boot: the daemons start with the new configuration; nothing to wait for. */
    @Test
    void aReconfigurationBeforeTheBootIsDoneAtOnce() {
        Completion reload = command(new Event.Reconfigured(Policy.defaults(), Set.of(VIRTLOGD, LIBVIRTD),
                Set.of(LIBVIRTD)));
        assertEquals(new Verdict.Done("taken before the daemons start"), reload.judge(run.supervision));
    }
}

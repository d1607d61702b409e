/**
 * Supervision of virtlogd and libvirtd.
 *
 * <h2>The pure core</h2>
 * {@link org.virtsup.supervise.Supervision} is an immutable value holding the
 * state of both daemons ({@link org.virtsup.supervise.DaemonState}) and the
 * transition function {@code on(Event, Instant now) → Step(Supervision, List<Action>)}.
 * It starts no thread, calls no operating system and never reads a clock: time
 * is the {@code now} it is given. Under it, {@code Lifecycle} is one daemon's
 * table (phase × input → phase, actions); {@code Supervision} adds the order
 * between the daemons: libvirtd is spawned only once virtlogd is RUNNING (when
 * virtlogd is supervised and wanted up), shutdown stops libvirtd before
 * virtlogd, and it decides when virtsup exits.
 *
 * <h2>Driving it: what an executor does</h2>
 * One event-loop thread owns the current {@code Supervision}. For each event
 * taken from its queue it calls {@code step = supervision.on(event, clock.instant())},
 * keeps {@code step.supervision()}, and carries out {@code step.actions()} in order:
 * <ul>
 * <li>{@link org.virtsup.supervise.Action.Spawn}: posix_spawn the daemon's program
 *     (own process group, private NOTIFY_SOCKET); once the step's actions are
 *     all carried out, and <em>before taking the next event from the queue</em>,
 *     feed {@link org.virtsup.supervise.Event.Spawned} with its pid or
 *     {@link org.virtsup.supervise.Event.SpawnFailed} with the error (e.g.
 *     {@code spawn /usr/sbin/libvirtd: ENOENT}) as a step of its own, in the
 *     order of the spawns. (The pid must be known before the reaper's exit for
 *     it can be routed.) A step is one transition: an action never feeds an
 *     event itself, so no step runs inside another.</li>
 * <li>{@link org.virtsup.supervise.Action.SendSignal}: kill(pid, signal.number())
 *     on that pid only, never a process group. ESRCH is not an error: the exit
 *     is on its way through the reaper.</li>
 * <li>{@link org.virtsup.supervise.Action.ArmTimer}: after {@code delay}, post
 *     {@code TimerFired(daemon, kind, generation)} to the queue. A daemon has one
 *     timer at a time, so the executor may drop the daemon's earlier one.
 *     {@link org.virtsup.supervise.Action.CancelTimer}: drop it if convenient;
 *     correctness does not depend on it, because a firing whose generation is
 *     not the armed one is ignored.</li>
 * <li>{@link org.virtsup.supervise.Action.Log}: log the message at that level
 *     (the journal under systemd); the sentences are written for users.</li>
 * <li>{@link org.virtsup.supervise.Action.Rejected}: the operator's command
 *     was refused; the control server replies with the reason (exit code 1),
 *     also at hand as {@code step.rejection()}. A step without it means the
 *     command was accepted.</li>
 * <li>{@link org.virtsup.supervise.Action.ReportReady}: sd_notify READY=1
 *     (once, when every supervised daemon wanted up is first ready);
 *     {@link org.virtsup.supervise.Action.ReportStopping}: STOPPING=1.</li>
 * <li>{@link org.virtsup.supervise.Action.Exit}: every daemon is down;
 *     leave with that code (0, or 1 when a FAILED daemon and exit-on-failure?
 *     caused the shutdown). Nothing follows it.</li>
 * </ul>
 * The events it must feed:
 * <ul>
 * <li>{@link org.virtsup.supervise.Event.Boot} once, first, after building
 *     {@code Supervision.initial(policy, supervisedDaemons)}.</li>
 * <li>{@link org.virtsup.supervise.Event.Exited} for every pid the reaper
 *     collects, ours or not: exits of pids that are no daemon's current
 *     process (orphans, guests' QEMU when virtsup is PID 1) change nothing and
 *     yield one DEBUG log.</li>
 * <li>{@link org.virtsup.supervise.Event.Ready} when the daemon's READY=1
 *     arrives on its NOTIFY_SOCKET (or its socket answers), with the pid the
 *     executor attributes it to; a Ready for another pid is ignored, a second
 *     one (virtlogd after re-executing) changes nothing.</li>
 * <li>{@link org.virtsup.supervise.Event.TimerFired} for armed timers.</li>
 * <li>{@link org.virtsup.supervise.Event.Shutdown} on SIGTERM/SIGINT;
 *     {@link org.virtsup.supervise.Event.Reconfigured} on SIGHUP after the new
 *     configuration was loaded and rendered, with the daemons it declares and
 *     those whose rendered file changed (a configuration that does not load
 *     is not fed: the daemons keep running as they are).</li>
 * <li>The control socket's commands: {@code Start}, {@code Stop},
 *     {@code Restart}, {@code Reload} (in place: virtlogd's SIGUSR1
 *     re-execution, libvirtd's SIGHUP), {@code Forward} (one signal).
 *     The server should warn the operator when stopping virtlogd while
 *     libvirtd runs; supervision allows it.</li>
 * </ul>
 * To answer a command when it is done (start: the process is ready; stop: it
 * exited; virtlogd's reload: READY=1 again with the same pid), keep
 * {@code Completion.of(command, stateBefore, step)} and
 * {@link org.virtsup.supervise.Completion#judge judge} it against the state
 * after every later step until it is no longer pending.
 * For {@code virtsup status}, everything is in
 * {@link org.virtsup.supervise.DaemonState}: phase, goal, pid,
 * {@code uptime(now)}, {@code readyAt}, {@code restarts},
 * {@code failuresAsOf(now, restartResetAfter)}, {@code lastExit},
 * {@code nextAttemptIn(now)}, {@code problem}.
 *
 * <h2>The rules it encodes</h2>
 * <ul>
 * <li>After spawn a daemon is STARTING; Ready makes it RUNNING; no Ready
 *     within start-timeout is a failed start: SIGTERM, then it counts as a
 *     failure when it exits.</li>
 * <li>Failed starts (a death, a failed spawn, a start timeout) restart the
 *     daemon at once the first time, then after 1 s, 2 s, 4 s … capped at
 *     restart-delay-max. A daemon that stayed RUNNING for restart-reset-after
 *     starts afresh: its next death counts as a first failure (computed from
 *     the time it became ready, no timer). With respawn-limit N &gt; 0, the N-th
 *     failed start in a row makes it FAILED; a configuration reload tries it
 *     again with a fresh count. The operator's start or restart always gives a
 *     fresh count (and a daemon in BACKOFF is started at once). With
 *     exit-on-failure? a FAILED daemon shuts everything down (libvirtd, then
 *     virtlogd) and virtsup exits with code 1.</li>
 * <li>Exits of pids that are no daemon's current process change nothing.
 *     Timer firings carry the generation they were armed with; one that is
 *     not the daemon's armed timer (cancelled, replaced, from an earlier
 *     process) changes nothing.</li>
 * <li>virtlogd's death does not touch libvirtd; libvirtd due to (re)start while
 *     virtlogd is wanted but not ready waits in STOPPED with goal UP.</li>
 * <li>Stop: SIGTERM to the pid, SIGKILL after stop-timeout, STOPPED on its
 *     exit (an error in the journal when even SIGKILL has not ended it after
 *     another stop-timeout); a stop in BACKOFF cancels the pending restart.</li>
 * <li>Counters: {@code restarts} counts restarts after failures only (not
 *     operator restarts, not virtlogd's re-executions, which {@code reexecs}
 *     counts).</li>
 * </ul>
 */
package org.virtsup.supervise;

/**
 * virtsup run against Debian's real virtlogd and libvirtd (libvirt 9.0),
 * each scenario in its own container on the local base image, observed from
 * outside the way an operator would: {@code virsh} and {@code virt-admin}
 * for what the daemons applied and whether they answer, {@code /proc} for
 * pids, parents and start times, the container's log for what virtsup said,
 * {@code virtsup status --json} for what it counts.
 *
 * <ul>
 * <li>{@link org.virtsup.it.supervision.SupervisedDaemonsIT}: one host's life
 *     with virtsup as PID 1 (start order, applied values, orphans, SIGUSR1,
 *     kill -9 of each daemon, SIGHUP with changed and invalid files,
 *     {@code docker stop}).</li>
 * <li>{@link org.virtsup.it.supervision.RestartBackoffIT}: a cause outside the
 *     configuration (no libvirt-qemu account), the backoff, the fix and SIGHUP.</li>
 * <li>{@link org.virtsup.it.supervision.ExitOnFailureIT}: respawn-limit and
 *     exit-on-failure? for orchestrators.</li>
 * <li>{@link org.virtsup.it.supervision.InvalidConfigurationIT}: exit 78, nothing started.</li>
 * <li>{@link org.virtsup.it.supervision.OutsideCopyIT}: a virtlogd started by hand is refused and left alone.</li>
 * <li>{@link org.virtsup.it.supervision.EmbeddedDefaultIT}: no file at all; SIGINT.</li>
 * <li>{@link org.virtsup.it.supervision.StopLeavesNothingRunningIT}: virtsup below
 *     the container's init, as under systemd; nothing left after SIGTERM.</li>
 * <li>{@link org.virtsup.it.supervision.StopTimeoutIT}: a libvirtd deaf to SIGTERM, killed after stop-timeout.</li>
 * <li>{@link org.virtsup.it.supervision.GuestsOutliveRestartsIT}: a guest's QEMU
 *     through virtlogd's re-execution and libvirtd's restarts, then reaped.</li>
 * <li>{@link org.virtsup.it.supervision.ControlGroupIT}: the control socket for
 *     members of control-group and for strangers.</li>
 * <li>{@link org.virtsup.it.supervision.ListenIT}: listen? on libvirtd's command line, on and off.</li>
 * </ul>
 * Waiting is always {@link org.virtsup.it.Poll} on an observable condition;
 * timings are printed as {@code virtsup-benchmark:} lines, never asserted.
 */
package org.virtsup.it.supervision;

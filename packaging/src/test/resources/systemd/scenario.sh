#!/bin/sh
# Runs inside a Debian root booted with systemd-nspawn (SystemdUnitIT), as a
# oneshot unit once the system is up: installs the .deb from /pkg, drives
# virtsup.service through systemctl as an operator would, and writes what it
# saw as KEY=VALUE lines to /results/report (the test asserts on those), the
# details to /results/*.log.
set -u
report=/results/report
: > "$report"
say() { printf '%s\n' "$*" >> "$report"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# state UNIT: ActiveState/SubState, NRestarts, Result, ExecMainStatus on one line.
state() {
  systemctl show -p ActiveState -p SubState -p NRestarts -p Result -p ExecMainStatus "$1" | sort | tr '\n' ' '
}
# ready_now: "virtsup status" shows both daemons RUNNING and ready.
ready_now() {
  virtsup status > /tmp/status.txt 2>&1 || return 1
  grep -q '^libvirtd  RUNNING, ready' /tmp/status.txt && grep -q '^virtlogd  RUNNING, ready' /tmp/status.txt
}
# await_ready SECONDS: ready_now, checked every 0.2 s for at most SECONDS.
await_ready() {
  deadline=$(( $(now_ms) + $1 * 1000 ))
  until ready_now; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
finish() {
  journalctl -o short-monotonic --no-pager > /results/journal.log 2>&1
  journalctl -u virtsup -o json --no-pager > /results/virtsup-journal.json 2>&1
  say "done=yes"
  exit 0   # the scenario's unit powers the container off (SuccessAction=)
}

# (No "systemctl is-system-running --wait": this unit is part of the boot it would wait for.)
say "systemd=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')"
say "libvirt=$(libvirtd --version | sed -n 's/.* \([0-9][0-9.]*\)$/\1/p')"

# What Debian 13's libvirt-daemon does at its installation on a booted host:
# enable and start libvirt's own sockets. Debian 12's ships no units.
libvirt_socket_units=
for unit in libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket virtlogd.socket virtlogd-admin.socket; do
  if systemctl cat "$unit" > /dev/null 2>&1; then
    libvirt_socket_units="$libvirt_socket_units $unit"
  fi
done
if [ -n "$libvirt_socket_units" ]; then
  # shellcheck disable=SC2086
  systemctl enable --now $libvirt_socket_units > /results/libvirt-units.log 2>&1
fi
say "libvirt_units=$(echo $libvirt_socket_units)"

# Installation: without VIRTSUP_TAKE_OVER, postinst only says which of
# libvirt's units are in the way; with it, it retires them and starts virtsup.
dpkg -i /pkg/virtsup-older.deb > /results/dpkg-install.log 2>&1
say "dpkg_install=$?"
say "install_names_units=$(grep -c "libvirt's own units are enabled or running" /results/dpkg-install.log)"
say "active_after_install=$(systemctl is-active virtsup)"
# A guest running while libvirt's own virtlogd holds its console log (a
# stand-in: a process named like QEMU, with libvirt's pid file for it): the
# take-over is refused and nothing is stopped.
if [ -n "$libvirt_socket_units" ]; then
  virt-admin -c virtlogd:///system server-list > /dev/null 2>&1   # socket-activates virtlogd.service
  cp /bin/sleep /tmp/qemu-system-x86_64
  /tmp/qemu-system-x86_64 600 &
  guest=$!
  mkdir -p /run/libvirt/qemu && echo "$guest" > /run/libvirt/qemu/stand-in.pid
  VIRTSUP_TAKE_OVER=1 dpkg -i /pkg/virtsup-older.deb > /results/dpkg-takeover-guest.log 2>&1
  say "takeover_refused_for_guest=$(grep -c 'guest(s) are running' /results/dpkg-takeover-guest.log)"
  say "virtlogd_after_refused_takeover=$(systemctl is-active virtlogd.service)"
  say "virtsup_after_refused_takeover=$(systemctl is-active virtsup)"
  kill "$guest"
  wait "$guest" 2>/dev/null
  rm -f /run/libvirt/qemu/stand-in.pid /tmp/qemu-system-x86_64
fi
VIRTSUP_TAKE_OVER=1 dpkg -i /pkg/virtsup-older.deb > /results/dpkg-takeover.log 2>&1
say "dpkg_takeover=$?"
if [ -z "$libvirt_socket_units" ]; then
  systemctl enable --now virtsup.service > /results/start.log 2>&1   # nothing to retire: start it by hand
fi
say "active_after_start=$(systemctl is-active virtsup)"
say "ready_after_start=$(ready_now && echo yes || echo no)"
masked=
for unit in $libvirt_socket_units; do
  [ "$(systemctl is-enabled "$unit" 2>/dev/null)" = masked ] && masked="$masked $unit"
done
say "masked=$(echo $masked)"

# Reload, valid file: returns 0, and only once it is done.
config=/etc/virtsup/config.scm
cp "$config" /results/config.scm.orig
started=$(now_ms)
systemctl reload virtsup > /results/reload-ok.log 2>&1
say "reload_ok=$?"
say "reload_ok_ms=$(( $(now_ms) - started ))"
# Reload with libvirtd's file changed: libvirtd restarts; when systemctl
# returns, both daemons are ready again.
libvirtd_before=$(pgrep -x libvirtd)
printf '%s\n' '(service libvirt-service-type (libvirt-configuration (max-clients 4000)))' \
              '(service virtlog-service-type)' > "$config"
started=$(now_ms)
systemctl reload virtsup > /results/reload-changed.log 2>&1
say "reload_changed=$?"
say "reload_changed_ms=$(( $(now_ms) - started ))"
say "ready_right_after_changed_reload=$(ready_now && echo yes || echo no)"
say "libvirtd_restarted_by_reload=$([ "$(pgrep -x libvirtd)" != "$libvirtd_before" ] && echo yes || echo no)"
# Reload, invalid file: fails, changes nothing, virtsup keeps running.
printf '%s\n' '(service libvirt-service-type (libvirt-configuration (max-clients "many")))' > "$config"
systemctl reload virtsup > /results/reload-bad.log 2>&1
say "reload_bad=$?"
say "active_after_bad_reload=$(systemctl is-active virtsup)"
cp /results/config.scm.orig "$config"
systemctl reload virtsup > /dev/null 2>&1
await_ready 30

# Start and stop times of the unit (systemctl returns once READY=1 / the main process exited).
started=$(now_ms)
systemctl stop virtsup
say "stop_ms=$(( $(now_ms) - started ))"
started=$(now_ms)
systemctl start virtsup
say "start_ms=$(( $(now_ms) - started ))"
say "ready_after_restart=$(ready_now && echo yes || echo no)"

# kill -9 of libvirtd: virtsup restarts it; systemd does not notice.
restarts_before=$(systemctl show -p NRestarts --value virtsup)
kill -9 "$(pgrep -x libvirtd)"
say "ready_after_libvirtd_kill=$(sleep 0.5; await_ready 30 && echo yes || echo no)"
say "unit_restarts_after_libvirtd_kill=$(( $(systemctl show -p NRestarts --value virtsup) - restarts_before ))"
say "active_after_libvirtd_kill=$(systemctl is-active virtsup)"

# Stop: libvirtd first, then virtlogd; the unit ends inactive.
systemctl stop virtsup
say "state_after_stop=$(state virtsup)"
journalctl -u virtsup -o cat --no-pager > /results/virtsup.log 2>&1
libvirtd_stopped=$(grep -n 'libvirtd (pid [0-9]*) stopped' /results/virtsup.log | tail -n1 | cut -d: -f1)
virtlogd_stopped=$(grep -n 'virtlogd (pid [0-9]*) stopped' /results/virtsup.log | tail -n1 | cut -d: -f1)
say "stop_order=$([ -n "$libvirtd_stopped" ] && [ -n "$virtlogd_stopped" ] \
                 && [ "$libvirtd_stopped" -lt "$virtlogd_stopped" ] && echo libvirtd-then-virtlogd || echo other)"
say "runtime_directory_after_stop=$([ -d /run/virtsup ] && echo kept || echo removed)"

# An invalid configuration at start: exit 78, not restarted, and its
# FILE:LINE:COL: error: lines in the journal at priority err (3).
printf '%s\n' '(service libvirt-service-type (libvirt-configuration (max-clients "many")))' > "$config"
systemctl start virtsup > /results/start-bad.log 2>&1
say "start_bad=$?"
sleep 3
say "state_after_bad_start=$(state virtsup)"
say "error_lines_at_err=$(journalctl -u virtsup -p err..err -o cat --no-pager | grep -c ': error: ')"
say "error_lines_not_at_err=$(journalctl -u virtsup -p warning..debug -o cat --no-pager | grep -c ': error: ')"
cp /results/config.scm.orig "$config"
systemctl reset-failed virtsup
systemctl start virtsup
say "info_lines_at_info=$(journalctl -u virtsup -p info..info -o cat --no-pager | grep -c 'ready: virtlogd')"

# A guest under the unit: QEMU (TCG; 64 MiB, no disk) is started by the
# libvirtd virtsup runs, so it inherits the unit's system-call filter and
# capability bounding set, and must start and run with them. Then the unit
# stops and starts again: the guest outlives the stop (libvirtd, then
# virtlogd), and the next libvirtd finds it running.
# systemd-nspawn leaves /sys/fs/cgroup read-only to the container's
# services here: QEMU runs without cgroup controllers, as in the container
# tests (packaging/dev/prepare-libvirt-host --container).
conf=/etc/libvirt/qemu.conf
grep -q '^[[:space:]]*cgroup_controllers[[:space:]]*=' "$conf" 2>/dev/null || echo 'cgroup_controllers = [ ]' >> "$conf"
grep -q '^[[:space:]]*remember_owner[[:space:]]*=' "$conf" 2>/dev/null || echo 'remember_owner = 0' >> "$conf"
virtsup restart libvirtd > /results/guest.log 2>&1
cat > /tmp/tiny.xml <<'XML'
<domain type='qemu'>
  <name>tiny</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><console type='pty'/></devices>
</domain>
XML
virsh define /tmp/tiny.xml >> /results/guest.log 2>&1
virsh start tiny >> /results/guest.log 2>&1
say "guest_started=$?"
say "guest_log=$(tail -n 4 /results/guest.log | tr '\n' ' ')"
sleep 2
guest_pid=$(cat /run/libvirt/qemu/tiny.pid 2>/dev/null || true)
say "guest_state=$(virsh domstate tiny 2>/dev/null | head -n 1)"
systemctl stop virtsup
say "guest_after_stop=$([ -n "$guest_pid" ] && kill -0 "$guest_pid" 2>/dev/null && echo alive || echo gone)"
systemctl start virtsup
await_ready 60
say "guest_state_after_start=$(virsh domstate tiny 2>/dev/null | head -n 1)"
say "guest_pid_kept=$([ -n "$guest_pid" ] && [ "$(cat /run/libvirt/qemu/tiny.pid 2>/dev/null)" = "$guest_pid" ] && echo yes || echo no)"
virsh destroy tiny >> /results/guest.log 2>&1
virsh undefine tiny >> /results/guest.log 2>&1

# held_sockets: NAME=INODE of each socket virtsup holds, as status lists them.
held_sockets() {
  virtsup status 2>/dev/null | sed -n 's/.*socket .* (\(.*\), inode \([0-9]*\)).*/\1=\2/p' | sort | tr '\n' ' '
}

# kill -9 of virtsup itself: systemd starts it again (Restart=on-failure),
# and the new virtsup adopts the daemons the old one left running, and holds
# the same sockets again: systemd's file descriptor store passed them back.
sockets_before=$(held_sockets)
say "sockets_before_virtsup_kill=$sockets_before"
say "fdstore_before_virtsup_kill=$(systemctl show -p NFileDescriptorStore --value virtsup 2>/dev/null)"
virtlogd_before=$(cat /run/virtlogd.pid 2>/dev/null || true)
libvirtd_before=$(cat /run/libvirtd.pid 2>/dev/null || true)
virtsup_before=$(systemctl show -p MainPID --value virtsup)
kill -9 "$virtsup_before"
killed_at=$(now_ms)
# Asked while no virtsup runs: the control socket's copy in the store holds
# the connection until the next virtsup answers it (exit 4: unreachable).
virtsup status > /results/status-while-down.log 2>&1
say "status_while_virtsup_down=$?"
deadline=$(( killed_at + 30000 ))
until [ "$(systemctl show -p MainPID --value virtsup)" != "$virtsup_before" ] \
      && [ "$(systemctl is-active virtsup)" = active ] && ready_now; do
  [ "$(now_ms)" -lt "$deadline" ] || break
  sleep 0.2
done
say "ready_after_virtsup_kill=$(ready_now && echo yes || echo no)"
say "ready_after_virtsup_kill_ms=$(( $(now_ms) - killed_at ))"
# From the new virtsup's exec to its "ready:" line, both on the monotonic
# clock (systemd's ExecMainStartTimestampMonotonic, the journal's): virtsup
# run until both daemons are adopted and ready, without the polling above.
new_start_us=$(systemctl show -p ExecMainStartTimestampMonotonic --value virtsup)
ready_us=$(journalctl -u virtsup -o short-monotonic --no-pager | grep -E '[: ]ready: ' | tail -n 1 \
  | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{6\}\)\].*/\1\2/p')
journalctl -u virtsup -o short-monotonic --no-pager --since "@$(( killed_at / 1000 ))" \
  > /results/adoption-journal.log 2>&1
if [ -n "$ready_us" ] && [ -n "$new_start_us" ]; then
  say "adopted_ready_ms=$(( (ready_us - new_start_us) / 1000 ))"
else
  say "adopted_ready_ms="
fi
say "state_after_virtsup_kill=$(state virtsup)"
say "daemons_kept_after_virtsup_kill=$([ -n "$virtlogd_before" ] && [ "$(cat /run/virtlogd.pid 2>/dev/null)" = "$virtlogd_before" ] \
  && [ -n "$libvirtd_before" ] && [ "$(cat /run/libvirtd.pid 2>/dev/null)" = "$libvirtd_before" ] && echo yes || echo no)"
say "adopted_in_status=$(virtsup status 2>/dev/null | grep -ci adopted)"
say "runtime_directory_after_virtsup_kill=$([ -f /run/virtsup/libvirtd.conf ] && echo kept || echo removed)"
say "sockets_after_virtsup_kill=$(held_sockets)"

# The adopted libvirtd killed while a client connects in a loop: its sockets
# are held, so every connection waits for the next libvirtd instead of failing.
adopted_libvirtd=$(cat /run/libvirtd.pid 2>/dev/null || true)
kill -9 "$adopted_libvirtd"
tried=0
failed=0
loop_end=$(( $(now_ms) + 3000 ))
while [ "$(now_ms)" -lt "$loop_end" ]; do
  tried=$((tried + 1))
  virsh -c qemu:///system -q uri > /dev/null 2>> /results/connect-loop.log || failed=$((failed + 1))
done
say "connects_while_adopted_libvirtd_restarts=$tried"
say "connects_failed_while_adopted_libvirtd_restarts=$failed"
await_ready 30
say "libvirtd_restarted_after_adoption=$([ "$(cat /run/libvirtd.pid 2>/dev/null)" != "$adopted_libvirtd" ] && ready_now && echo yes || echo no)"

# same_pids: virtsup's main pid and both daemons' pids are those saved in *_before.
same_pids() {
  [ "$(systemctl show -p MainPID --value virtsup)" = "$virtsup_before" ] \
    && [ "$(cat /run/virtlogd.pid 2>/dev/null)" = "$virtlogd_before" ] \
    && [ "$(cat /run/libvirtd.pid 2>/dev/null)" = "$libvirtd_before" ] && echo yes || echo no
}
reexecs() { virtsup status 2>/dev/null | sed -n 's/.*re-executed \([0-9]*\) time.*/\1/p'; }

# virtsup reexec under systemd: RELOADING=1, the exec in place, READY=1 from
# the new JVM; the unit stays active with the same main pid, nothing restarts.
virtlogd_before=$(cat /run/virtlogd.pid 2>/dev/null || true)
libvirtd_before=$(cat /run/libvirtd.pid 2>/dev/null || true)
virtsup_before=$(systemctl show -p MainPID --value virtsup)
restarts_before=$(systemctl show -p NRestarts --value virtsup)
reexec_at=$(now_ms)
virtsup reexec > /results/reexec.log 2>&1
say "reexec=$?"
say "reexec_ms=$(( $(now_ms) - reexec_at ))"
say "state_after_reexec=$(state virtsup)"
say "pids_kept_by_reexec=$(same_pids)"
say "unit_restarts_by_reexec=$(( $(systemctl show -p NRestarts --value virtsup) - restarts_before ))"
say "reexecs_after_reexec=$(reexecs)"
journalctl -u virtsup -o short-monotonic --no-pager -n 200 > /results/reexec-journal.log 2>&1

# An upgrade while virtsup runs: everything so far ran the older package (the
# built one with a lower version, its jar saying so); installing the built one
# over it makes postinst re-execute virtsup in place with the new code.
say "version_before_upgrade=$(virtsup status 2>/dev/null | sed -n 's/^virtsup .*version \([^ ,]*\).*/\1/p')"
dpkg -i /pkg/virtsup.deb > /results/dpkg-upgrade.log 2>&1
say "dpkg_upgrade=$?"
say "version_after_upgrade=$(virtsup status 2>/dev/null | sed -n 's/^virtsup .*version \([^ ,]*\).*/\1/p')"
say "package_after_upgrade=$(dpkg-query -W -f '${Version}' virtsup)"
say "upgrade_said_reexec=$(grep -c 're-executed itself with the new version' /results/dpkg-upgrade.log)"
say "state_after_upgrade=$(state virtsup)"
say "pids_kept_by_upgrade=$(same_pids)"
say "reexecs_after_upgrade=$(reexecs)"

# The unit file itself.
systemd-analyze verify --man=no /lib/systemd/system/virtsup.service > /results/verify.log 2>&1
say "verify=$?"
say "verify_lines=$(grep -c . /results/verify.log)"
say "security=$(systemd-analyze security --no-pager virtsup.service 2>/dev/null | sed -n 's/.*Overall exposure level for virtsup.service: *//p')"
systemd-analyze security --no-pager virtsup.service > /results/security.log 2>&1
finish

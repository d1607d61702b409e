;;; /etc/virtsup/config.scm: the configuration of virtsup, in GNU Guix's syntax.
;;;
;;; As shipped, this file is virtsup's built-in default: both daemons are
;;; supervised and every field below is commented out, showing its default.
;;; To change a field, uncomment its line and edit the value; to stop
;;; supervising a daemon, remove its whole (service ...) form.
;;; "virtsup check" validates the file and names every mistake with its line;
;;; "virtsup explain FIELD" documents a field. The fields are those of GNU
;;; Guix's libvirt-service-type and virtlog-service-type, plus virtsup's own
;;; supervisor-configuration.
;;;
;;; After an edit: "virtsup check", then "virtsup reload" (or "systemctl
;;; reload virtsup"), which applies the file, or changes nothing when it is
;;; invalid.

(service libvirt-service-type
 (libvirt-configuration
  ;; Installation prefix: the daemons are <prefix>/sbin/libvirtd and virtlogd.
  ;; (libvirt "/usr")

  ;; Network sockets. libvirtd opens them only when supervisor-configuration's
  ;; listen? is #t (it adds --listen): these two flags alone change nothing.
  ;; (listen-tls? #t)
  ;; (listen-tcp? #f)
  ;; (tls-port "16514")
  ;; (tcp-port "16509")
  ;; (listen-addr "0.0.0.0")

  ;; mDNS was removed from libvirt: accepted, written as a comment, no effect.
  ;; (mdns-adv? #f)
  ;; (mdns-name "Virtualization Host <hostname>")  ; the default ends with this host's name

  ;; Unix sockets: owner group, modes (octal strings) and directory.
  ;; (unix-sock-group "root")
  ;; (unix-sock-ro-perms "0777")
  ;; (unix-sock-rw-perms "0770")
  ;; (unix-sock-admin-perms "0777")
  ;; (unix-sock-dir "/var/run/libvirt")

  ;; Authentication: "none", "sasl" or "polkit" (polkit for unix sockets only).
  ;; (auth-unix-ro "polkit")
  ;; (auth-unix-rw "polkit")
  ;; (auth-tcp "sasl")
  ;; (auth-tls "none")

  ;; API access control: a list of "none" or "polkit".
  ;; (access-drivers '())

  ;; TLS: key-file, cert-file and ca-file go together (all three or none).
  ;; (key-file "")
  ;; (cert-file "")
  ;; (ca-file "")
  ;; (crl-file "")
  ;; (tls-no-sanity-cert #f)
  ;; (tls-no-verify-cert #f)
  ;; (tls-allowed-dn-list '())
  ;; (sasl-allowed-usernames '())
  ;; (tls-priority "NORMAL")

  ;; Clients and worker threads (max-requests is no longer read by libvirt).
  ;; (max-clients 5000)
  ;; (max-queued-clients 1000)
  ;; (max-anonymous-clients 20)
  ;; (min-workers 5)
  ;; (max-workers 20)
  ;; (prio-workers 5)
  ;; (max-requests 20)
  ;; (max-client-requests 5)

  ;; The same limits for the admin interface (virt-admin).
  ;; (admin-min-workers 1)
  ;; (admin-max-workers 5)
  ;; (admin-max-clients 5)
  ;; (admin-max-queued-clients 5)
  ;; (admin-max-client-requests 5)

  ;; Logging: level 1 (debug) to 4 (errors); filters "N:name ...";
  ;; outputs "N:stderr", "N:journald", "N:syslog:IDENT" or "N:file:/PATH".
  ;; (log-level 3)
  ;; (log-filters "3:remote 4:event")
  ;; (log-outputs "3:stderr")

  ;; Auditing: level 0 to 2.
  ;; (audit-level 1)
  ;; (audit-logging #f)

  ;; Host UUID ("" = read it from host-uuid-source: "smbios" or "machine-id").
  ;; (host-uuid "")
  ;; (host-uuid-source "smbios")

  ;; Keepalive: interval in seconds (-1 = never send), unanswered probes allowed.
  ;; (keepalive-interval 5)
  ;; (keepalive-count 5)
  ;; (admin-keepalive-interval 5)
  ;; (admin-keepalive-count 5)

  ;; Timeout of Open vSwitch calls, in seconds.
  ;; (ovs-timeout 5)

  ;; virtsup extension (libvirt reads it, Guix does not model it): the
  ;; minimum SASL strength of TCP connections, 56 or more.
  ;; (tcp-min-ssf 56)
  ))

(service virtlog-service-type
 (virtlog-configuration
  ;; Logging of virtlogd itself, as for libvirtd above.
  ;; (log-level 3)
  ;; (log-filters "3:remote 4:event")
  ;; (log-outputs "3:stderr")

  ;; Clients, and the rotation of the guests' console logs (size in bytes).
  ;; (max-clients 1024)
  ;; (max-size 2097152)
  ;; (max-backups 3)

  ;; virtsup extensions (virtlogd reads them, Guix does not model them):
  ;; clients of the admin socket; deleting logs older than max-age-days
  ;; (0: never) under log-root, every file there, libvirt 11.3 and later only.
  ;; (admin-max-clients 5)
  ;; (max-age-days 0)
  ;; (log-root "/var/log/libvirt")
  ))

(supervisor-configuration
 ;; The control socket of the virtsup command; members of control-group may
 ;; send the commands that change something.
 ;; (control-socket "/run/virtsup/control.sock")
 ;; (control-group "root")

 ;; Where the rendered libvirtd.conf and virtlogd.conf are written.
 ;; (state-directory "/run/virtsup")

 ;; Start libvirtd with --listen, so that listen-tls? and listen-tcp? apply.
 ;; (listen? #f)

 ;; Seconds: to become ready; between TERM and KILL at stop; the cap of the
 ;; restart backoff; the time up after which the backoff starts over.
 ;; (start-timeout 30)
 ;; (stop-timeout 20)
 ;; (restart-delay-max 30)
 ;; (restart-reset-after 60)

 ;; Failed starts in a row before a daemon is FAILED (0 = never give up), and
 ;; whether virtsup then exits non-zero (useful as a container's PID 1).
 ;; (respawn-limit 0)
 ;; (exit-on-failure? #f)

 ;; "HOST:PORT" on which to serve Prometheus metrics (GET /metrics), such as
 ;; "127.0.0.1:9474"; #f serves none.
 ;; (metrics-address #f)

 ;; virtsup's log, the daemons' output included: "text", or "json" for one
 ;; JSON object per line.
 ;; (log-format "text")
 )

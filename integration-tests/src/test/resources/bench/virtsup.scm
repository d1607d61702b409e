;; virtsup's configuration for the benchmarks: both daemons with their
;; defaults. The restart delay starts afresh after 1 s up instead of 60 s, so
;; that every kill of a round is a first failure (restarted at once), as it
;; is for supervisord with startsecs=0 and for runit after 1 s.
(service libvirt-service-type)
(service virtlog-service-type)
(supervisor-configuration
 (restart-reset-after 1))

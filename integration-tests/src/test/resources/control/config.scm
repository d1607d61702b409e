;; virtsup's configuration for the control-socket tests: both daemons at their
;; defaults, and a control group of its own so that membership can be tested.
(supervisor-configuration
 (control-group "virtops"))

(service virtlog-service-type)
(service libvirt-service-type)

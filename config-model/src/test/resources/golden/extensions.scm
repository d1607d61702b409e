;; Every virtsup extension set: keys libvirt reads that Guix does not model.
(service libvirt-service-type
         (libvirt-configuration
          (tcp-min-ssf 112)))
(service virtlog-service-type
         (virtlog-configuration
          (admin-max-clients 7)
          (max-age-days 30)
          (log-root "/srv/guest-logs")))

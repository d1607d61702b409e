(service virtlog-service-type
         (virtlog-configuration
          (max-clients 1000)))

package org.virtsup.supervise;

/** The two daemons virtsup can supervise, in start order: virtlogd before libvirtd. */
public enum Daemon {
    VIRTLOGD("virtlogd", "virtlog-service-type"),
    LIBVIRTD("libvirtd", "libvirt-service-type");

    private final String programName;
    private final String serviceType;

    Daemon(String programName, String serviceType) {
        this.programName = programName;
        this.serviceType = serviceType;
    }

    /** The name users know it by (its executable's name, also the name on the command line). */
    public String programName() {
        return programName;
    }

    /** The configuration form that declares it supervised. */
    public String serviceType() {
        return serviceType;
    }

    /** The daemon named {@code name} as operators write it ({@code virtlogd}, {@code libvirtd}). */
    public static java.util.Optional<Daemon> named(String name) {
        for (Daemon daemon : values()) {
            if (daemon.programName.equals(name)) {
                return java.util.Optional.of(daemon);
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return programName;
    }
}

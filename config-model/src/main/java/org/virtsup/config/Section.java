package org.virtsup.config;

import java.util.List;
import java.util.Optional;

/** The three forms a configuration file may hold. */
public enum Section {
    LIBVIRT("libvirt-service-type", "libvirt-configuration", "libvirtd.conf"),
    VIRTLOG("virtlog-service-type", "virtlog-configuration", "virtlogd.conf"),
    /** virtsup's own settings: a top-level form, not a service. */
    SUPERVISOR(null, "supervisor-configuration", null);

    private final String serviceType;
    private final String formName;
    private final String fileName;

    Section(String serviceType, String formName, String fileName) {
        this.serviceType = serviceType;
        this.formName = formName;
        this.fileName = fileName;
    }

    /** {@code libvirt-service-type}; empty for the supervisor's own form. */
    public Optional<String> serviceType() {
        return Optional.ofNullable(serviceType);
    }

    public String formName() {
        return formName;
    }

    /** The file the daemon reads; empty for the supervisor's own form. */
    public Optional<String> fileName() {
        return Optional.ofNullable(fileName);
    }

    public List<Field> fields() {
        return FieldCatalog.fields(this);
    }

    public Optional<Field> field(String name) {
        return fields().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public static Optional<Section> byServiceType(String name) {
        for (Section s : values()) {
            if (name.equals(s.serviceType)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}

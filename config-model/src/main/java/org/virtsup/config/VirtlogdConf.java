package org.virtsup.config;

/** virtlogd.conf: log_level, log_filters, log_outputs, max_clients, max_size, max_backups, then the extensions set. */
public final class VirtlogdConf {
    private VirtlogdConf() {}

    /** The file for the libvirt virtsup assumes when it cannot ask: {@link LibvirtVersion#DEBIAN_12}. */
    public static String render(VirtlogConfiguration configuration) {
        return render(configuration, LibvirtVersion.DEBIAN_12);
    }

    /** The file for libvirt {@code version}: the keys it reads, comments naming it for those it does not. */
    public static String render(VirtlogConfiguration configuration, LibvirtVersion version) {
        return ConfLines.render(Section.VIRTLOG, configuration.settings(), version);
    }
}

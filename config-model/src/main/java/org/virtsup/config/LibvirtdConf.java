package org.virtsup.config;

/** libvirtd.conf as libvirt (9.0 and later) reads it: spec order, libvirt's key names, no header, no blank line. */
public final class LibvirtdConf {
    private LibvirtdConf() {}

    /** The file for the libvirt virtsup assumes when it cannot ask: {@link LibvirtVersion#DEBIAN_12}. */
    public static String render(LibvirtConfiguration configuration) {
        return render(configuration, LibvirtVersion.DEBIAN_12);
    }

    /** The file for libvirt {@code version}: the keys it reads, comments naming it for those it does not. */
    public static String render(LibvirtConfiguration configuration, LibvirtVersion version) {
        return ConfLines.render(Section.LIBVIRT, configuration.settings(), version);
    }
}

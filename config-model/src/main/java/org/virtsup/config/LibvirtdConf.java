package org.virtsup.config;

/** libvirtd.conf as libvirt 9.0 reads it: spec order, libvirt's key names, no header, no blank line. */
public final class LibvirtdConf {
    private LibvirtdConf() {}

    public static String render(LibvirtConfiguration configuration) {
        return ConfLines.render(Section.LIBVIRT, configuration.settings());
    }
}

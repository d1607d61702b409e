package org.virtsup.config;

/** virtlogd.conf: exactly six lines, log_level, log_filters, log_outputs, max_clients, max_size, max_backups. */
public final class VirtlogdConf {
    private VirtlogdConf() {}

    public static String render(VirtlogConfiguration configuration) {
        return ConfLines.render(Section.VIRTLOG, configuration.settings());
    }
}

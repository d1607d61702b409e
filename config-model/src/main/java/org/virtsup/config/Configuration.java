package org.virtsup.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A valid configuration: a daemon is supervised iff its service is declared.
 * The supervisor's own settings are always there (defaults when the file has
 * no {@code (supervisor-configuration ...)}).
 */
public record Configuration(Optional<Path> source, Optional<LibvirtConfiguration> libvirt,
                            Optional<VirtlogConfiguration> virtlog, SupervisorConfiguration supervisor) {

    /** Where the daemons are installed when no libvirt-service-type says so. */
    public static final String DEFAULT_PREFIX = "/usr";

    public Configuration {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(libvirt, "libvirt");
        Objects.requireNonNull(virtlog, "virtlog");
        Objects.requireNonNull(supervisor, "supervisor");
    }

    /**
     * The installation prefix of the daemons: libvirt-configuration's
     * {@code libvirt} field, or "/usr". virtlog-configuration has no such
     * field in the specification, so virtlogd is looked for under the same prefix.
     */
    public String prefix() {
        return libvirt.map(LibvirtConfiguration::libvirt).orElse(DEFAULT_PREFIX);
    }

    /** {@code <prefix>/sbin/libvirtd}. */
    public String libvirtdPath() {
        return under(prefix(), "sbin/libvirtd");
    }

    /** {@code <prefix>/sbin/virtlogd}. */
    public String virtlogdPath() {
        return under(prefix(), "sbin/virtlogd");
    }

    private static String under(String prefix, String relative) {
        return prefix.endsWith("/") ? prefix + relative : prefix + "/" + relative;
    }
}

package org.virtsup.config;

/**
 * The {@code (virtlog-configuration ...)} of {@code virtlog-service-type}: virtlogd's settings.
 * One typed accessor per field of the catalog; values outside the accessors'
 * types never get here (validation refuses them first).
 */
public final class VirtlogConfiguration extends DaemonConfiguration {
    VirtlogConfiguration(Settings settings) {
        super(Section.VIRTLOG, settings);
    }

    /** Every field at its default (for tests and tools; the loader builds the real ones). */
    public static VirtlogConfiguration defaults(String hostName) {
        return new VirtlogConfiguration(defaults(Section.VIRTLOG, hostName));
    }

    /** {@code max-size}. */
    public long maxSize() {
        return settings.integer("max-size");
    }

    /** {@code max-backups}. */
    public int maxBackups() {
        return (int) settings.integer("max-backups");
    }
}

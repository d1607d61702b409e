package org.virtsup.config;

import java.util.Objects;

/**
 * The {@code (virtlog-configuration ...)} of {@code virtlog-service-type}: virtlogd's settings.
 * One typed accessor per field of the catalog; values outside the accessors'
 * types never get here (validation refuses them first).
 */
public final class VirtlogConfiguration {
    private final Settings settings;

    VirtlogConfiguration(Settings settings) {
        if (settings.section() != Section.VIRTLOG) {
            throw new IllegalArgumentException("not a " + Section.VIRTLOG.formName() + ": " + settings.section());
        }
        this.settings = settings;
    }

    /** Every field at its default (for tests and tools; the loader builds the real ones). */
    public static VirtlogConfiguration defaults(String hostName) {
        return new VirtlogConfiguration(Settings.defaults(Section.VIRTLOG, new Position("(defaults)", 1, 1), hostName));
    }

    /** All values by field name, in the catalog's order. */
    public Settings settings() {
        return settings;
    }

    /** Where the field's value was written, or the form's position when it was left at its default. */
    public Position positionOf(String guixFieldName) {
        return settings.positionOf(guixFieldName);
    }

    /** {@code log-level}. */
    public int logLevel() {
        return (int) settings.integer("log-level");
    }

    /** {@code log-filters}. */
    public String logFilters() {
        return settings.string("log-filters");
    }

    /** {@code log-outputs}. */
    public String logOutputs() {
        return settings.string("log-outputs");
    }

    /** {@code max-clients}. */
    public int maxClients() {
        return (int) settings.integer("max-clients");
    }

    /** {@code max-size}. */
    public long maxSize() {
        return settings.integer("max-size");
    }

    /** {@code max-backups}. */
    public int maxBackups() {
        return (int) settings.integer("max-backups");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VirtlogConfiguration other && settings.equals(other.settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings);
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}

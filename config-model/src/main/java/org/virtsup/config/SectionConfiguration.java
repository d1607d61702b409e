package org.virtsup.config;

import org.virtsup.config.read.Position;

/**
 * What the three configuration forms share: their values, held as
 * {@link Settings} of one {@link Section}, with where each was written. The
 * subclasses add one typed accessor per field of the catalog; values outside
 * the accessors' types never get here (validation refuses them first).
 */
public abstract sealed class SectionConfiguration
        permits DaemonConfiguration, SupervisorConfiguration {
    final Settings settings;

    SectionConfiguration(Section section, Settings settings) {
        if (settings.section() != section) {
            throw new IllegalArgumentException("not a " + section.formName() + ": " + settings.section());
        }
        this.settings = settings;
    }

    /** Every field at its default, as the loader writes a form left empty. */
    static Settings defaults(Section section, String hostName) {
        return Settings.defaults(section, new Position("(defaults)", 1, 1), hostName);
    }

    /** All values by field name, in the catalog's order. */
    public Settings settings() {
        return settings;
    }

    /** Where the field's value was written, or the form's position when it was left at its default. */
    public Position positionOf(String guixFieldName) {
        return settings.positionOf(guixFieldName);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && settings.equals(((SectionConfiguration) o).settings);
    }

    @Override
    public final int hashCode() {
        return settings.hashCode();
    }

    @Override
    public final String toString() {
        return settings.toString();
    }
}

package org.virtsup.config;

/**
 * What libvirtd's and virtlogd's forms share: both daemons are libvirt
 * servers, with the same logging fields and the same client limit.
 */
public abstract sealed class DaemonConfiguration extends SectionConfiguration
        permits LibvirtConfiguration, VirtlogConfiguration {

    DaemonConfiguration(Section section, Settings settings) {
        super(section, settings);
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
}

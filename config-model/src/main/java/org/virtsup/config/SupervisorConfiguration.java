package org.virtsup.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code (supervisor-configuration ...)} form: virtsup's own settings.
 * One typed accessor per field of the catalog; values outside the accessors'
 * types never get here (validation refuses them first).
 */
public final class SupervisorConfiguration extends SectionConfiguration {
    SupervisorConfiguration(Settings settings) {
        super(Section.SUPERVISOR, settings);
    }

    /** Every field at its default (for tests and tools; the loader builds the real ones). */
    public static SupervisorConfiguration defaults(String hostName) {
        return new SupervisorConfiguration(defaults(Section.SUPERVISOR, hostName));
    }

    /** {@code control-socket}. */
    public String controlSocket() {
        return settings.string("control-socket");
    }

    /** {@code control-group}. */
    public String controlGroup() {
        return settings.string("control-group");
    }

    /** {@code state-directory}. */
    public String stateDirectory() {
        return settings.string("state-directory");
    }

    /** {@code listen?}. */
    public boolean listen() {
        return settings.bool("listen?");
    }

    /** {@code start-timeout}. */
    public Duration startTimeout() {
        return Duration.ofSeconds(settings.integer("start-timeout"));
    }

    /** {@code stop-timeout}. */
    public Duration stopTimeout() {
        return Duration.ofSeconds(settings.integer("stop-timeout"));
    }

    /** {@code restart-delay-max}. */
    public Duration restartDelayMax() {
        return Duration.ofSeconds(settings.integer("restart-delay-max"));
    }

    /** {@code restart-reset-after}. */
    public Duration restartResetAfter() {
        return Duration.ofSeconds(settings.integer("restart-reset-after"));
    }

    /** {@code respawn-limit}. */
    public int respawnLimit() {
        return (int) settings.integer("respawn-limit");
    }

    /** {@code exit-on-failure?}. */
    public boolean exitOnFailure() {
        return settings.bool("exit-on-failure?");
    }

    /** {@code metrics-address}: HOST:PORT to serve metrics on, empty when #f. */
    public Optional<String> metricsAddress() {
        return settings.get("metrics-address") instanceof String address ? Optional.of(address) : Optional.empty();
    }

    /** {@code log-format}: "text" or "json". */
    public String logFormat() {
        return settings.string("log-format");
    }
}

package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.virtsup.config.Configuration;
import org.virtsup.config.SupervisorConfiguration;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Policy;

/**
 * The configuration virtsup runs with, and what status says about it: whether
 * its file still holds what was loaded, and why the last reload was refused.
 * The file is hashed only when its size, time or identity changed, not on
 * every status request (health probes ask every few seconds).
 */
final class ConfigurationInForce {
    /** What stat says of the file: equal stamps, same bytes (as far as anything short of reading knows). */
    record Stamp(long size, long modifiedNanos, Object fileKey) {
        static Optional<Stamp> of(Optional<Path> file) {
            if (file.isEmpty()) {
                return Optional.empty();
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file.get(), BasicFileAttributes.class);
                return Optional.of(new Stamp(attributes.size(),
                        attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                        attributes.fileKey()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    private Configuration configuration;
    private byte[] digest;
    private Optional<Stamp> checkedStamp;
    private boolean matches = true;
    private List<String> reloadProblems = List.of();
    private int hashes;

    ConfigurationInForce(Configuration configuration) {
        replace(configuration);
    }

    Configuration get() {
        return configuration;
    }

    /** A reload took {@code next}: it is in force, and what its file holds now is what it came from. */
    void replace(Configuration next) {
        configuration = next;
        checkedStamp = Stamp.of(next.source());
        digest = digestOfSource();
        matches = true;
        reloadProblems = List.of();
    }

    /** A reload was refused: the configuration in force stays; status shows why until a reload succeeds. */
    void refused(List<String> problems) {
        reloadProblems = List.copyOf(problems);
    }

    List<String> reloadProblems() {
        return reloadProblems;
    }

    /** Whether the file still holds the configuration in force (always, for the embedded default). */
    boolean matchesFile() {
        Optional<Stamp> now = Stamp.of(configuration.source());
        if (!now.equals(checkedStamp)) {
            checkedStamp = now;
            matches = Arrays.equals(digest, digestOfSource());
        }
        return matches;
    }

    /** How many times the file was read and hashed: status must not do it on every request. */
    int hashes() {
        return hashes;
    }

    private byte[] digestOfSource() {
        if (configuration.source().isEmpty()) {
            return new byte[0];
        }
        hashes++;
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(configuration.source().get()));
        } catch (IOException e) {
            return new byte[] {-1};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    Policy policy() {
        return policyOf(configuration.supervisor());
    }

    Set<Daemon> daemons() {
        return daemonsOf(configuration);
    }

    static Policy policyOf(SupervisorConfiguration settings) {
        return new Policy(settings.startTimeout(), settings.stopTimeout(), settings.restartDelayMax(),
                settings.restartResetAfter(), settings.respawnLimit(), settings.exitOnFailure());
    }

    /** The daemons a configuration declares. */
    static Set<Daemon> daemonsOf(Configuration configuration) {
        Set<Daemon> daemons = EnumSet.noneOf(Daemon.class);
        configuration.virtlog().ifPresent(v -> daemons.add(Daemon.VIRTLOGD));
        configuration.libvirt().ifPresent(l -> daemons.add(Daemon.LIBVIRTD));
        return daemons;
    }
}

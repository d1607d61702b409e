package org.virtsup.adopt;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.virtsup.supervise.Daemon;

/**
 * One daemon as virtsup ran it: its process, the digest of the configuration
 * file it was started with, and the inodes of the listening sockets it was
 * handed, by their {@code LISTEN_FDNAMES} name.
 *
 * @param configurationDigest SHA-256 of its rendered configuration file, 64 lowercase hex digits
 */
public record DaemonRecord(Daemon daemon, ProcessIdentity process, String configurationDigest,
                           Map<String, Long> socketInodes) {
    public DaemonRecord {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(configurationDigest, "configurationDigest");
        socketInodes = java.util.Collections.unmodifiableMap(new TreeMap<>(socketInodes));
    }
}

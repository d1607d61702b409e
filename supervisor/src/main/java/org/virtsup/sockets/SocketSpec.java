package org.virtsup.sockets;

import java.util.Objects;
import org.virtsup.supervise.Daemon;

/**
 * One socket a daemon is handed, under the name libvirt looks for in
 * {@code LISTEN_FDNAMES} ({@code libvirtd.socket}, {@code virtlogd-admin.socket}, ...).
 */
public record SocketSpec(Daemon daemon, String name, Endpoint endpoint) {
    public SocketSpec {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(endpoint, "endpoint");
        if (name.isEmpty() || name.contains(":")) {
            throw new IllegalArgumentException("a LISTEN_FDNAMES name is not empty and has no ':', got: " + name);
        }
    }
}

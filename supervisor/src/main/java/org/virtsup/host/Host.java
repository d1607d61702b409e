package org.virtsup.host;

import java.util.Optional;
import org.virtsup.config.LibvirtVersion;

/** The facts about this machine that a configuration depends on. */
public interface Host {

    boolean groupExists(String name);

    /** A regular file this process can read. */
    boolean isReadableFile(String path);

    /** A regular file this process can execute. */
    boolean isExecutableFile(String path);

    /** Whether anything exists at {@code path}. */
    boolean exists(String path);

    /** Whether a TCP service of this name (or alias) is known, as getaddrinfo would resolve a port name. */
    boolean tcpServiceExists(String name);

    /** What the libvirtd at {@code libvirtdPath} says its version is ({@code libvirtd --version}), or why it cannot say. */
    LibvirtdVersion.Answer libvirtdVersion(String libvirtdPath);

    /** The version of the libvirtd at {@code libvirtdPath}; empty when it cannot say. */
    default Optional<LibvirtVersion> libvirtVersion(String libvirtdPath) {
        return libvirtdVersion(libvirtdPath).known();
    }
}

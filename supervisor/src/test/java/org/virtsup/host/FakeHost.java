package org.virtsup.host;

import java.util.HashSet;
import java.util.Optional;
import org.virtsup.config.LibvirtVersion;
import java.util.Set;

/** A host whose groups and files are exactly those the test declares. */
public final class FakeHost implements Host {
    private final Set<String> groups = new HashSet<>();
    private final Set<String> readable = new HashSet<>();
    private final Set<String> executable = new HashSet<>();
    private final Set<String> existing = new HashSet<>();
    private final Set<String> services = new HashSet<>();
    private Optional<LibvirtVersion> libvirtVersion = Optional.empty();

    /** root's group and Debian's daemons, as on a host with libvirt installed. */
    public static FakeHost withLibvirtInstalled() {
        return new FakeHost().group("root").executable("/usr/sbin/libvirtd").executable("/usr/sbin/virtlogd");
    }

    /** The version every libvirtd on this host says it is. */
    public FakeHost libvirt(LibvirtVersion version) {
        libvirtVersion = Optional.of(version);
        return this;
    }

    @Override
    public LibvirtdVersion.Answer libvirtdVersion(String libvirtdPath) {
        if (!executable.contains(libvirtdPath)) {
            return new LibvirtdVersion.Unknown(libvirtdPath + " --version cannot run: not executable");
        }
        return libvirtVersion.<LibvirtdVersion.Answer>map(LibvirtdVersion.Known::new)
                .orElseGet(() -> new LibvirtdVersion.Unknown(libvirtdPath + " --version gave no version"));
    }

    public FakeHost group(String name) {
        groups.add(name);
        return this;
    }

    public FakeHost readable(String path) {
        readable.add(path);
        existing.add(path);
        return this;
    }

    public FakeHost executable(String path) {
        executable.add(path);
        existing.add(path);
        return this;
    }

    /** Exists but is neither readable nor executable by us. */
    public FakeHost unreadable(String path) {
        existing.add(path);
        return this;
    }

    public FakeHost tcpService(String name) {
        services.add(name);
        return this;
    }

    @Override
    public boolean tcpServiceExists(String name) {
        return services.contains(name);
    }

    @Override
    public boolean groupExists(String name) {
        return groups.contains(name);
    }

    @Override
    public boolean isReadableFile(String path) {
        return readable.contains(path);
    }

    @Override
    public boolean isExecutableFile(String path) {
        return executable.contains(path);
    }

    @Override
    public boolean exists(String path) {
        return existing.contains(path);
    }
}

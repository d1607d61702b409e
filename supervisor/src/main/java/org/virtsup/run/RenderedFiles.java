package org.virtsup.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.config.LibvirtdConf;
import org.virtsup.config.VirtlogdConf;
import org.virtsup.host.AtomicFile;
import org.virtsup.supervise.Daemon;

/**
 * The daemons' configuration files in virtsup's state directory, rendered from
 * the configuration and written atomically. A file whose bytes did not change
 * is not rewritten, and {@link #write} says which daemons' files changed: that
 * is what a reload acts on.
 */
public final class RenderedFiles {
    private static final Set<PosixFilePermission> MODE_0644 = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> MODE_0755 = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path directory;
    private final LibvirtVersion version;

    /** Files for libvirt 9.0 (Debian 12), the oldest virtsup supports. */
    public RenderedFiles(Path directory) {
        this(directory, LibvirtVersion.DEBIAN_12);
    }

    /** Files for the libvirt {@code version} that reads them. */
    public RenderedFiles(Path directory, LibvirtVersion version) {
        this.directory = directory;
        this.version = version;
    }

    public Path directory() {
        return directory;
    }

    public Path fileOf(Daemon daemon) {
        return directory.resolve(daemon.programName() + ".conf");
    }

    /**
     * Renders and writes the declared daemons' files as one change (see
     * {@link AtomicFile#writeAllIfChanged}): when the state directory is
     * read-only or full, neither file changes. Returns the daemons whose file
     * changed. Both are rendered before either is written.
     *
     * @throws IOException naming the file and errno, e.g. {@code write /var/lib/virtsup/libvirtd.conf: ENOSPC
     *         (No space left on device)}
     */
    public Set<Daemon> write(Configuration configuration) throws IOException {
        Map<Daemon, String> texts = new EnumMap<>(Daemon.class);
        configuration.virtlog().ifPresent(v -> texts.put(Daemon.VIRTLOGD, VirtlogdConf.render(v, version)));
        configuration.libvirt().ifPresent(l -> texts.put(Daemon.LIBVIRTD, LibvirtdConf.render(l, version)));
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(MODE_0755));
        }
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        texts.forEach((daemon, text) -> contents.put(fileOf(daemon), text.getBytes(StandardCharsets.UTF_8)));
        Set<Path> written = AtomicFile.writeAllIfChanged(contents, MODE_0644);
        Set<Daemon> changed = EnumSet.noneOf(Daemon.class);
        for (Daemon daemon : Daemon.values()) {
            if (written.contains(fileOf(daemon))) {
                changed.add(daemon);
            }
        }
        return changed;
    }

    /** The files as they are now, to put back with {@link #restore} when a reload fails half-way. */
    public Map<Daemon, Optional<byte[]>> snapshot() throws IOException {
        Map<Daemon, Optional<byte[]>> files = new EnumMap<>(Daemon.class);
        for (Daemon daemon : Daemon.values()) {
            Path file = fileOf(daemon);
            files.put(daemon, Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty());
        }
        return files;
    }

    /** Puts the files back as {@link #snapshot} found them. */
    public void restore(Map<Daemon, Optional<byte[]>> snapshot) throws IOException {
        for (Map.Entry<Daemon, Optional<byte[]>> file : snapshot.entrySet()) {
            if (file.getValue().isPresent()) {
                AtomicFile.writeIfChanged(fileOf(file.getKey()), file.getValue().get(), MODE_0644);
            } else {
                Files.deleteIfExists(fileOf(file.getKey()));
            }
        }
    }
}

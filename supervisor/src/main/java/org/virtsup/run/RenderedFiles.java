package org.virtsup.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.virtsup.config.Configuration;
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

    public RenderedFiles(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public Path fileOf(Daemon daemon) {
        return directory.resolve(daemon.programName() + ".conf");
    }

    /** Renders and writes the declared daemons' files; returns the daemons whose file changed. */
    public Set<Daemon> write(Configuration configuration) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(MODE_0755));
        }
        Set<Daemon> changed = EnumSet.noneOf(Daemon.class);
        if (configuration.virtlog().isPresent()
                && writeOne(Daemon.VIRTLOGD, VirtlogdConf.render(configuration.virtlog().get()))) {
            changed.add(Daemon.VIRTLOGD);
        }
        if (configuration.libvirt().isPresent()
                && writeOne(Daemon.LIBVIRTD, LibvirtdConf.render(configuration.libvirt().get()))) {
            changed.add(Daemon.LIBVIRTD);
        }
        return changed;
    }

    private boolean writeOne(Daemon daemon, String text) throws IOException {
        return AtomicFile.writeIfChanged(fileOf(daemon), text.getBytes(StandardCharsets.UTF_8), MODE_0644);
    }
}

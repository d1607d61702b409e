package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtdConf;
import org.virtsup.config.VirtlogdConf;
import org.virtsup.supervise.Daemon;

class RenderedFilesTest {
    private static final String BOTH = "(service virtlog-service-type)\n(service libvirt-service-type)\n";

    @TempDir
    Path temporary;

    @Test
    void writesBothFilesIntoANewDirectoryAndSaysBothChanged() throws Exception {
        Path state = temporary.resolve("state");
        Configuration configuration = ExecutorUnderTest.configuration(BOTH);
        RenderedFiles files = new RenderedFiles(state);

        assertEquals(Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD), files.write(configuration));

        assertTrue(Files.isDirectory(state));
        assertEquals(state.resolve("libvirtd.conf"), files.fileOf(Daemon.LIBVIRTD));
        assertEquals(LibvirtdConf.render(configuration.libvirt().orElseThrow()),
                Files.readString(files.fileOf(Daemon.LIBVIRTD)));
        assertEquals(VirtlogdConf.render(configuration.virtlog().orElseThrow()),
                Files.readString(files.fileOf(Daemon.VIRTLOGD)));
        assertEquals("rw-r--r--", // exactly, whatever the umask
                PosixFilePermissions.toString(Files.getPosixFilePermissions(files.fileOf(Daemon.LIBVIRTD))));
    }

    @Test
    void onlyTheDaemonsWhoseFileChangedAreReported() throws Exception {
        RenderedFiles files = new RenderedFiles(temporary);
        files.write(ExecutorUnderTest.configuration(BOTH));

        assertEquals(Set.of(), files.write(ExecutorUnderTest.configuration(BOTH)), "same bytes: nothing changed");
        Configuration moreWorkers = ExecutorUnderTest.configuration("(service virtlog-service-type)\n"
                + "(service libvirt-service-type (libvirt-configuration (max-workers 40)))\n");
        assertEquals(Set.of(Daemon.LIBVIRTD), files.write(moreWorkers));
        assertEquals(LibvirtdConf.render(moreWorkers.libvirt().orElseThrow()),
                Files.readString(files.fileOf(Daemon.LIBVIRTD)));
    }

    @Test
    void anUndeclaredDaemonGetsNoFile() throws Exception {
        RenderedFiles files = new RenderedFiles(temporary);

        assertEquals(Set.of(Daemon.VIRTLOGD),
                files.write(ExecutorUnderTest.configuration("(service virtlog-service-type)\n")));
        assertFalse(Files.exists(files.fileOf(Daemon.LIBVIRTD)));
    }
}

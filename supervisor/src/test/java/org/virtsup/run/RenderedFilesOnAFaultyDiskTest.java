package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.supervise.Daemon;

/**
 * The state directory on a real file system that fails: a small tmpfs that
 * this test mounts (root only), made read-only or filled up.
 */
class RenderedFilesOnAFaultyDiskTest {
    private static final int PAGE = 4096;
    private static final String FIRST = "(service virtlog-service-type)\n(service libvirt-service-type)\n";
    /** virtlogd's file changes a little, libvirtd's grows past one page. */
    private static final String SECOND = "(service virtlog-service-type (virtlog-configuration (max-clients 2048)))\n"
            + "(service libvirt-service-type (libvirt-configuration (tls-priority \"NORMAL"
            + ":+VERS-TLS1.2".repeat(2 * PAGE / 13) + "\")))\n";

    @TempDir
    Path temporary;

    private Path state;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        boolean full = "1".equals(System.getenv("VIRTSUP_FULL_TESTS"));
        boolean root = ProcessHandle.current().info().user().filter("root"::equals).isPresent();
        if (!root && !full) {
            Assumptions.abort("mounts a tmpfs: needs root");
        }
        state = Files.createDirectories(temporary.resolve("state"));
        run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", state.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", state.toString());
        }
    }

    @Test
    void aReadOnlyStateDirectoryChangesNothingAndSaysWhy() throws Exception {
        RenderedFiles files = new RenderedFiles(state);
        files.write(SupervisorUnderTest.configuration(FIRST));
        Map<String, String> before = contents();
        run("mount", "-o", "remount,ro", state.toString());

        IOException failure = assertThrows(IOException.class,
                () -> files.write(SupervisorUnderTest.configuration(SECOND)));

        assertEquals("write " + files.fileOf(Daemon.LIBVIRTD) + ": EROFS (Read-only file system)",
                failure.getMessage());
        assertEquals(before, contents());
    }

    @Test
    void aFullStateDirectoryChangesNeitherFileAndLeavesNoTemporaryFile() throws Exception {
        RenderedFiles files = new RenderedFiles(state);
        files.write(SupervisorUnderTest.configuration(FIRST));
        Map<String, String> before = contents();
        leaveOnePageFree();
        Configuration second = SupervisorUnderTest.configuration(SECOND);

        IOException failure = assertThrows(IOException.class, () -> files.write(second));

        Files.delete(state.resolve("filler"));
        assertEquals(before, contents(), "virtlogd's file, which fit, was not written without libvirtd's");
        assertEquals("write " + files.fileOf(Daemon.LIBVIRTD) + ": ENOSPC (No space left on device)",
                failure.getMessage());

        assertEquals(Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD), files.write(second), "both, once there is room");
    }

    /** Fills the file system, then frees one page. */
    private void leaveOnePageFree() throws IOException {
        Path filler = state.resolve("filler");
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
            byte[] page = new byte[PAGE];
            try {
                while (true) {
                    file.write(page);
                }
            } catch (IOException full) {
                // ENOSPC
            }
            file.setLength(file.length() / PAGE * PAGE - PAGE);
        }
    }

    /** Every file in the state directory (temporary ones included) and its text. */
    private Map<String, String> contents() throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> paths = Files.list(state)) {
            for (Path path : paths.filter(p -> !p.getFileName().toString().equals("filler")).toList()) {
                all.put(path.getFileName().toString(), Files.readString(path));
            }
        }
        assertTrue(all.containsKey("libvirtd.conf") && all.containsKey("virtlogd.conf"), all.keySet().toString());
        return all;
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }
}

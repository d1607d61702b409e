package org.virtsup.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir Path dir;

    private static final Set<java.nio.file.attribute.PosixFilePermission> MODE_0644 =
            PosixFilePermissions.fromString("rw-r--r--");

    @Test
    void writesNewFileWithExactMode() throws IOException {
        Path file = dir.resolve("libvirtd.conf");
        assertTrue(AtomicFile.writeIfChanged(file, bytes("a = 1\n"), MODE_0644));
        assertEquals("a = 1\n", Files.readString(file));
        assertEquals(MODE_0644, Files.getPosixFilePermissions(file));
    }

    @Test
    void leavesIdenticalContentUntouched() throws IOException {
        Path file = dir.resolve("virtlogd.conf");
        AtomicFile.writeIfChanged(file, bytes("x = 1\n"), MODE_0644);
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(file, old);
        assertFalse(AtomicFile.writeIfChanged(file, bytes("x = 1\n"), MODE_0644));
        assertEquals(old, Files.getLastModifiedTime(file));
        assertTrue(AtomicFile.writeIfChanged(file, bytes("x = 2\n"), MODE_0644));
        assertEquals("x = 2\n", Files.readString(file));
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws IOException {
        Path file = dir.resolve("libvirtd.conf");
        AtomicFile.writeIfChanged(file, bytes("one\n"), MODE_0644);
        AtomicFile.writeIfChanged(file, bytes("two\n"), MODE_0644);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path file = dir.resolve("libvirtd.conf");
        AtomicFile.writeIfChanged(file, bytes("kept\n"), MODE_0644);
        // A directory where the target should be renamed over: the rename fails,
        // the temporary file goes, and the other file is untouched.
        Path blocked = dir.resolve("blocked");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("inside"), "x");
        assertThrows(IOException.class, () -> AtomicFile.writeIfChanged(blocked, bytes("new\n"), MODE_0644));
        assertArrayEquals(bytes("kept\n"), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the file and the directory remain");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

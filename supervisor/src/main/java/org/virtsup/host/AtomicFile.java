package org.virtsup.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * Writes a file so that a reader sees either the old bytes or the new ones,
 * never a half-written file, even across a crash: temporary file in the same
 * directory, fsync, rename over the target, fsync of the directory. Bytes equal
 * to what is already there are not rewritten, so the file's mtime tells when
 * its content last changed.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Returns true when the file was written, false when it already held these bytes. */
    public static boolean writeIfChanged(Path target, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        try {
            if (Arrays.equals(Files.readAllBytes(target), content)) {
                return false;
            }
        } catch (NoSuchFileException absent) {
            // first write
        }
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".",
                ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // createTempFile's mode is filtered by the umask; set it exactly.
            Files.setPosixFilePermissions(temporary, permissions);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("rename " + temporary + " to " + target + ": not atomic on this file system", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        syncDirectory(directory);
        return true;
    }

    private static void syncDirectory(Path directory) throws IOException {
        // A rename is durable only once the directory entry is on disk.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}

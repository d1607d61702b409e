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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
        return !writeAllIfChanged(Map.of(target, content), permissions).isEmpty();
    }

    /**
     * Writes several files as one change, as far as a file system allows: every
     * new content is first written to a temporary file beside its target and
     * synced; only when all of them are on disk are they renamed over their
     * targets. A failure before that (a read-only or full file system) leaves
     * every target as it was and no temporary file behind. Returns the targets
     * whose bytes changed.
     *
     * @throws IOException naming the target, the operation and errno's name
     */
    public static Set<Path> writeAllIfChanged(Map<Path, byte[]> contents, Set<PosixFilePermission> permissions)
            throws IOException {
        Map<Path, Path> staged = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, byte[]> file : new TreeMap<>(contents).entrySet()) {
                if (!sameBytes(file.getKey(), file.getValue())) {
                    staged.put(file.getKey(), stage(file.getKey(), file.getValue(), permissions));
                }
            }
            Set<Path> directories = new LinkedHashSet<>();
            for (Map.Entry<Path, Path> file : staged.entrySet()) {
                rename(file.getValue(), file.getKey());
                directories.add(file.getKey().toAbsolutePath().getParent());
            }
            for (Path directory : directories) {
                syncDirectory(directory);
            }
            return staged.keySet();
        } finally {
            for (Path temporary : staged.values()) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    private static boolean sameBytes(Path target, byte[] content) throws IOException {
        try {
            return Arrays.equals(Files.readAllBytes(target), content);
        } catch (NoSuchFileException absent) {
            return false; // first write
        } catch (IOException e) {
            throw HostFailure.of("read", target, e);
        }
    }

    /** The new content in a synced temporary file beside {@code target}, with exactly {@code permissions}. */
    private static Path stage(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path temporary;
        try {
            temporary = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".",
                    ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        } catch (IOException e) {
            throw HostFailure.of("write", target, e);
        }
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
            return temporary;
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw HostFailure.of("write", target, e);
        }
    }

    private static void rename(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("rename " + temporary + " to " + target + ": not atomic on this file system", e);
        } catch (IOException e) {
            throw HostFailure.of("rename to", target, e);
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        // A rename is durable only once the directory entry is on disk.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}

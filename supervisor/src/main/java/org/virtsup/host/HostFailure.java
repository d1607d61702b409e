package org.virtsup.host;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns the JDK's file errors into virtsup's form, {@code OPERATION PATH:
 * ERRNO (text)}: the JDK gives the C library's text ("No space left on
 * device") and often the path of a temporary file, where an operator needs the
 * file that matters and errno's name to search for.
 */
final class HostFailure {
    /** strerror's text of the errnos a state directory meets, by errno name. */
    private static final Map<String, String> NAMES = Map.of(
            "No space left on device", "ENOSPC",
            "Read-only file system", "EROFS",
            "Disk quota exceeded", "EDQUOT",
            "Permission denied", "EACCES",
            "Operation not permitted", "EPERM",
            "Input/output error", "EIO",
            "No such file or directory", "ENOENT",
            "Too many open files", "EMFILE",
            "File too large", "EFBIG");

    private HostFailure() {}

    static IOException of(String operation, Path path, IOException cause) {
        return new IOException(operation + " " + path + ": " + errno(cause), cause);
    }

    /** "ENOSPC (No space left on device)", or the JDK's own words when the errno is not known. */
    static String errno(IOException e) {
        String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        if (reason == null && e instanceof AccessDeniedException) {
            reason = "Permission denied";
        } else if (reason == null && e instanceof NoSuchFileException) {
            reason = "No such file or directory";
        }
        if (reason == null) {
            return e.getClass().getSimpleName();
        }
        for (Map.Entry<String, String> known : NAMES.entrySet()) {
            if (reason.contains(known.getKey())) {
                return known.getValue() + " (" + known.getKey() + ")";
            }
        }
        return reason;
    }
}

package org.virtsup.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The control socket's file: the directory it lives in, a stale file left by a
 * dead virtsup, and its owner and mode once bound.
 *
 * <p>Only the mode and group are set here, after bind(): for the instant between
 * the two, the socket has the umask's mode, which is harmless because every
 * request is authorised from the peer's kernel credentials, not from the file's
 * mode; the mode only keeps strangers from connecting at all.
 */
public final class ControlSocketFile {
    private ControlSocketFile() {}

    /**
     * Makes {@code socket} bindable: creates its directory (0755) when missing,
     * removes a stale socket, refuses a live one or a file that is not a socket.
     */
    public static void prepare(Path socket) throws IOException {
        Path parent = socket.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new IOException(socket + " exists and is not a socket: remove it or set a different"
                    + " control-socket in (supervisor-configuration ...)");
        }
        if (answers(socket)) {
            throw new ControlSocketInUseException(socket);
        }
        Files.delete(socket);
    }

    /** Sets mode 0660 and the control group on a freshly bound socket. */
    public static void restrict(Path socket, int controlGid) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        Files.setAttribute(socket, "unix:gid", controlGid, LinkOption.NOFOLLOW_LINKS);
    }

    static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) mode & 0170000) == 0140000;
    }

    /** Whether a process accepts connections on the socket now. */
    static boolean answers(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (ConnectException e) {
            // ECONNREFUSED: nobody listens, the file is what a dead virtsup left.
            return false;
        }
    }
}

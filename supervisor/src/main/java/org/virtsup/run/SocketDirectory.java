package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtConfiguration;
import org.virtsup.posix.Errno;
import org.virtsup.posix.FileStatus;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;

/**
 * The directory libvirtd creates its sockets in ({@code unix-sock-dir}), and
 * the check that the sockets came out as configured.
 *
 * <p>The directory is owned by root with {@code unix-sock-group} as its group
 * and mode 0755: the group (and, for the read-only socket's default 0777,
 * everyone) can reach the sockets, whose own modes then decide who may
 * connect. virtlogd's directory, {@code /run/libvirt}, is created the same way
 * when it is another one.
 */
public final class SocketDirectory {
    static final int DIRECTORY_MODE = 0755;
    static final String VIRTLOGD_DIRECTORY = "/run/libvirt";

    private SocketDirectory() {}

    /** Creates (or fixes) the directory: owner root, group {@code gid}, mode 0755. */
    public static void prepare(Posix posix, String directory, int gid) {
        posix.mkdirs(directory, DIRECTORY_MODE);
        posix.chown(directory, 0, gid);
        posix.chmod(directory, DIRECTORY_MODE);
    }

    /**
     * Prepares the directories a configuration's daemons put their sockets in:
     * libvirtd's {@code unix-sock-dir} and virtlogd's {@value #VIRTLOGD_DIRECTORY}.
     */
    public static void prepareFor(Posix posix, Configuration configuration) throws IOException {
        if (configuration.libvirt().isPresent()) {
            LibvirtConfiguration libvirt = configuration.libvirt().get();
            int gid = posix.groupId(libvirt.unixSockGroup()).orElseThrow(() -> new IOException(
                    "unix-sock-group \"" + libvirt.unixSockGroup() + "\" does not exist"));
            prepare(posix, libvirt.unixSockDir(), gid);
            if (Path.of(libvirt.unixSockDir()).toRealPath().equals(Path.of(VIRTLOGD_DIRECTORY))) {
                return;
            }
        }
        posix.mkdirs(VIRTLOGD_DIRECTORY, DIRECTORY_MODE);
    }

    /**
     * How to put back what {@link #prepareFor} changes on libvirtd's existing
     * socket directory (its owner, group and mode), for a reload refused
     * after it. A directory it creates is left, empty.
     */
    static Runnable undoOf(Posix posix, Configuration configuration) {
        if (configuration.libvirt().isEmpty()) {
            return () -> { };
        }
        String directory = configuration.libvirt().get().unixSockDir();
        FileStatus before;
        try {
            before = posix.stat(directory);
        } catch (PosixException absent) {
            return () -> { };
        }
        return () -> {
            posix.chown(directory, before.uid(), before.gid());
            posix.chmod(directory, before.permissions());
        };
    }

    /** The sockets libvirtd made, checked against the configuration: one sentence per problem. */
    public static List<String> verify(Posix posix, LibvirtConfiguration libvirt, int gid) {
        List<String> problems = new ArrayList<>();
        String dir = libvirt.unixSockDir();
        check(posix, dir + "/libvirt-sock", "unix-sock-rw-perms", libvirt.unixSockRwPerms(), gid,
                libvirt.unixSockGroup(), problems);
        check(posix, dir + "/libvirt-sock-ro", "unix-sock-ro-perms", libvirt.unixSockRoPerms(), gid,
                libvirt.unixSockGroup(), problems);
        check(posix, dir + "/libvirt-admin-sock", "unix-sock-admin-perms", libvirt.unixSockAdminPerms(), gid,
                libvirt.unixSockGroup(), problems);
        return problems;
    }

    private static void check(Posix posix, String path, String field, String perms, int gid, String group,
                              List<String> problems) {
        FileStatus status;
        try {
            status = posix.stat(path);
        } catch (PosixException e) {
            problems.add(e.errno() == Errno.ENOENT
                    ? path + " does not exist: libvirtd did not create the socket " + field + " applies to"
                    : "cannot check " + path + ": " + e.getMessage());
            return;
        }
        if (!status.socket()) {
            problems.add(path + " is not a socket");
            return;
        }
        int wanted = Integer.parseInt(perms, 8);
        if (status.permissions() != wanted) {
            problems.add(String.format("%s has mode %04o, but %s is \"%s\"", path, status.permissions(), field, perms));
        }
        if (status.gid() != gid) {
            problems.add(path + " has group id " + status.gid() + ", but unix-sock-group is \"" + group
                    + "\" (gid " + gid + ")");
        }
    }
}

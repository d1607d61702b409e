package org.virtsup.posix;

/**
 * What stat(2) says of a file. {@code mode} is st_mode whole: the type bits
 * (S_IFMT) and the permission bits; {@link #permissions()} has only the latter.
 */
public record FileStatus(int uid, int gid, int mode, boolean directory, boolean socket) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;

    /** Derives {@code directory} and {@code socket} from the type bits of {@code mode}. */
    public static FileStatus of(int uid, int gid, int mode) {
        return new FileStatus(uid, gid, mode, (mode & S_IFMT) == S_IFDIR, (mode & S_IFMT) == S_IFSOCK);
    }

    /** Permission, set-id and sticky bits (07777). */
    public int permissions() {
        return mode & 07777;
    }

    public boolean regularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }
}

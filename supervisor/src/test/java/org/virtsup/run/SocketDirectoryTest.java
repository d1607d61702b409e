package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.virtsup.config.LibvirtConfiguration;
import org.virtsup.posix.Errno;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.FileStatus;
import org.virtsup.posix.PosixException;

class SocketDirectoryTest {
    private static final int LIBVIRT_GID = 990;
    private static final String DIR = "/run/libvirt";

    private static LibvirtConfiguration libvirt(String fields) {
        return ExecutorUnderTest.configuration("(service virtlog-service-type)\n"
                + "(service libvirt-service-type (libvirt-configuration " + fields + "))\n").libvirt().orElseThrow();
    }

    private static final LibvirtConfiguration CONFIGURED = libvirt(
            "(unix-sock-group \"libvirt\") (unix-sock-rw-perms \"0770\") (unix-sock-ro-perms \"0777\")"
            + " (unix-sock-admin-perms \"0700\") (unix-sock-dir \"/run/libvirt\")");

    @Test
    void prepareCreatesTheDirectoryOwnedByRootAndTheGroupWithMode0755() {
        FakePosix posix = new FakePosix();

        SocketDirectory.prepare(posix, DIR, LIBVIRT_GID);

        FileStatus status = posix.stat(DIR);
        assertTrue(status.directory());
        assertEquals(0, status.uid());
        assertEquals(LIBVIRT_GID, status.gid());
        assertEquals(0755, status.permissions());
    }

    @Test
    void prepareFixesAnExistingDirectoryWithTheWrongModeAndGroup() {
        FakePosix posix = new FakePosix().addDirectory(DIR, 0, 0, 0700);

        SocketDirectory.prepare(posix, DIR, LIBVIRT_GID);

        FileStatus status = posix.stat(DIR);
        assertEquals(LIBVIRT_GID, status.gid());
        assertEquals(0755, status.permissions());
    }

    @Test
    void asNonRootTheChownFailsWithEpermNamingThePath() {
        FakePosix posix = new FakePosix().addDirectory("/run", 0, 0, 0777).asUser(1000, 1000);

        PosixException e = assertThrows(PosixException.class, () -> SocketDirectory.prepare(posix, DIR, LIBVIRT_GID));

        assertEquals(Errno.EPERM, e.errno());
        assertEquals("chown /run/libvirt: EPERM", e.getMessage());
    }

    @Test
    void socketsAsConfiguredHaveNoProblem() {
        FakePosix posix = new FakePosix()
                .addSocket(DIR + "/libvirt-sock", 0, LIBVIRT_GID, 0770)
                .addSocket(DIR + "/libvirt-sock-ro", 0, LIBVIRT_GID, 0777)
                .addSocket(DIR + "/libvirt-admin-sock", 0, LIBVIRT_GID, 0700);

        assertEquals(List.of(), SocketDirectory.verify(posix, CONFIGURED, LIBVIRT_GID));
    }

    @Test
    void eachSocketNotAsConfiguredIsOneProblemNamingPathAndField() {
        FakePosix posix = new FakePosix()
                .addSocket(DIR + "/libvirt-sock", 0, LIBVIRT_GID, 0777)
                .addSocket(DIR + "/libvirt-sock-ro", 0, 0, 0777);

        assertEquals(List.of(
                "/run/libvirt/libvirt-sock has mode 0777, but unix-sock-rw-perms is \"0770\"",
                "/run/libvirt/libvirt-sock-ro has group id 0, but unix-sock-group is \"libvirt\" (gid 990)",
                "/run/libvirt/libvirt-admin-sock does not exist: libvirtd did not create the socket"
                        + " unix-sock-admin-perms applies to"),
                SocketDirectory.verify(posix, CONFIGURED, LIBVIRT_GID));
    }

    @Test
    void aFileThatIsNoSocketIsAProblem() {
        FakePosix posix = new FakePosix()
                .addFile(DIR + "/libvirt-sock", 0, LIBVIRT_GID, 0770)
                .addSocket(DIR + "/libvirt-sock-ro", 0, LIBVIRT_GID, 0777)
                .addSocket(DIR + "/libvirt-admin-sock", 0, LIBVIRT_GID, 0700);

        assertEquals(List.of("/run/libvirt/libvirt-sock is not a socket"),
                SocketDirectory.verify(posix, CONFIGURED, LIBVIRT_GID));
    }

    @Test
    void anUnreadableDirectoryIsReportedWithTheErrno() {
        FakePosix posix = new FakePosix()
                .addFile("/run/libvirt", 0, 0, 0644); // a file where the directory should be

        List<String> problems = SocketDirectory.verify(posix, CONFIGURED, LIBVIRT_GID);

        assertEquals(3, problems.size());
        assertEquals("cannot check /run/libvirt/libvirt-sock: stat /run/libvirt/libvirt-sock: ENOTDIR", problems.get(0));
    }
}

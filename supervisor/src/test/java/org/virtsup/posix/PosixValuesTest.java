package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** The seam's values: wait status decoding, signal names, spec validation, messages. */
class PosixValuesTest {

    @Test
    void decodesWaitStatuses() {
        assertEquals(new ExitStatus.Exited(0), ExitStatus.fromWaitStatus(0));
        assertEquals(new ExitStatus.Exited(1), ExitStatus.fromWaitStatus(0x0100));
        assertEquals(new ExitStatus.Exited(255), ExitStatus.fromWaitStatus(0xff00));
        assertEquals(new ExitStatus.Killed(9, false), ExitStatus.fromWaitStatus(9));
        assertEquals(new ExitStatus.Killed(11, true), ExitStatus.fromWaitStatus(0x80 | 11));
        assertThrows(IllegalArgumentException.class, () -> ExitStatus.fromWaitStatus(0x137f), "stopped by SIGSTOP");
    }

    @Test
    void describesExits() {
        assertEquals("exited with code 1", new ExitStatus.Exited(1).describe());
        assertEquals("killed by signal 9 (SIGKILL)", new ExitStatus.Killed(9, false).describe());
        assertEquals("killed by signal 6 (SIGABRT), core dumped", new ExitStatus.Killed(6, true).describe());
        assertEquals("pid 12 killed by signal 15 (SIGTERM)",
                new ChildExit(12, new ExitStatus.Killed(15, false)).describe());
    }

    @Test
    void namesSignals() {
        assertEquals("SIGKILL", Signals.name(Signals.KILL));
        assertEquals("SIGUSR1", Signals.name(Signals.USR1));
        assertEquals("SIGRTMIN+2", Signals.name(34));
        assertEquals("signal 99", Signals.name(99));
        assertEquals(OptionalInt.of(15), Signals.number("TERM"));
        assertEquals(OptionalInt.of(1), Signals.number("sighup"));
        assertEquals(OptionalInt.empty(), Signals.number("SIGNOPE"));
        for (int signal = 1; signal <= 31; signal++) {
            assertEquals(OptionalInt.of(signal), Signals.number(Signals.name(signal)));
        }
    }

    @Test
    void specsRefuseWhatPosixSpawnCannotTake() {
        assertThrows(IllegalArgumentException.class, () -> SpawnSpec.of("libvirtd", "libvirtd"));
        assertThrows(IllegalArgumentException.class, () -> SpawnSpec.of("/usr/sbin/libvirtd"));
        assertThrows(IllegalArgumentException.class, () -> SpawnSpec.of("/bin/x", "x", "a\0b"));
        assertThrows(IllegalArgumentException.class,
                () -> new SpawnSpec("/bin/x", List.of("x"), Map.of("A=B", "c"), -1, -1, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new SpawnSpec("/bin/x", List.of("x"), Map.of(), -2, -1, -1));
        assertEquals(List.of("A=1", "B=2"),
                new SpawnSpec("/bin/x", List.of("x"), Map.of("B", "2", "A", "1"), -1, -1, -1).environmentStrings());
    }

    @Test
    void exceptionsNameOperationSubjectAndErrno() {
        PosixException known = new PosixException("chown", "/run/libvirt", Errno.EPERM);
        assertEquals("chown /run/libvirt: EPERM", known.getMessage());
        assertEquals(Errno.EPERM, known.errno());
        PosixException other = new ErrnoNames().exception("write", "fd 3", 122);
        assertEquals(Errno.OTHER, other.errno());
        assertEquals("write fd 3: EDQUOT", other.getMessage());
        assertEquals(Errno.ENOENT, new ErrnoNames().exception("spawn", "/x", 2).errno());
        assertEquals("pipe: EMFILE", new PosixException("pipe", "", Errno.EMFILE).getMessage());
    }

    @Test
    void errnoNumbersAreLinuxs() {
        assertEquals(Errno.ECHILD, Errno.of(10));
        assertEquals(Errno.EACCES, Errno.of(13));
        assertEquals(Errno.OTHER, Errno.of(-1 + 100_000));
        for (Errno errno : Errno.values()) {
            if (errno != Errno.OTHER) {
                assertEquals(errno.name(), jnr.constants.platform.linux.Errno.valueOf(errno.name()).name());
                assertEquals(errno.number(), jnr.constants.platform.linux.Errno.valueOf(errno.name()).intValue(),
                        errno.name());
            }
        }
    }

    @Test
    void splitsPathsIntoTheDirectoriesToCreate() {
        assertEquals(List.of("/a", "/a/b", "/a/b/c"), PathPrefixes.of("/a//b/./c/"));
        assertEquals(List.of("a", "a/b"), PathPrefixes.of("a/b"));
        assertEquals(List.of(), PathPrefixes.of("/"));
    }
}

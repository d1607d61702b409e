package org.virtsup.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Posix;
import org.virtsup.posix.Signals;

// Own thread: a child left unkilled would hold an uninterruptible wait for ever.
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LibvirtdVersionTest {
    private static final String LIBVIRTD = "/usr/sbin/libvirtd";
    private static final Duration SHORT = Duration.ofMillis(300);

    @TempDir
    Path scratch;

    @Test
    void readsTheVersionAndReapsTheChild() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.prints("/usr/sbin/libvirtd (libvirt) 9.0.0\n"));
        LibvirtdVersion.Answer answer = new LibvirtdVersion(posix).ask(LIBVIRTD);
        assertEquals(new LibvirtdVersion.Known(new LibvirtVersion(9, 0, 0)), answer);
        assertReapedWithNothingLeftOpen(posix);
        assertEquals(List.of(LIBVIRTD, "--version"), posix.spawned().get(0).spec().argv());
    }

    @Test
    void aChildThatNeverAnswersIsKilledAndReapedAtTheDeadline() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.runsUntilSignalled());
        LibvirtdVersion.Answer answer = new LibvirtdVersion(posix, SHORT).ask(LIBVIRTD);
        assertEquals(new LibvirtdVersion.Unknown("/usr/sbin/libvirtd --version gave no answer within 300 ms: killed"),
                answer);
        assertEquals(List.of(Signals.KILL), posix.signalsSentTo(posix.spawned().get(0).pid()));
        assertReapedWithNothingLeftOpen(posix);
    }

    @Test
    void aChildThatExitsNonZeroGivesNoVersionWhateverItSaid() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.onStart(child -> {
            child.writeStdout("/usr/sbin/libvirtd (libvirt) 9.0.0\n");
            child.exit(1);
        }));
        assertEquals(new LibvirtdVersion.Unknown("/usr/sbin/libvirtd --version exited with code 1"),
                new LibvirtdVersion(posix).ask(LIBVIRTD));
        assertReapedWithNothingLeftOpen(posix);
    }

    @Test
    void garbageIsNoVersionAndIsQuotedPrintably() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.prints("\u001b[2Jlibvirtd\tversion x.y\n"));
        assertEquals(new LibvirtdVersion.Unknown(
                "/usr/sbin/libvirtd --version answered no version number: \"?[2Jlibvirtd?version x.y\""),
                new LibvirtdVersion(posix).ask(LIBVIRTD));
        assertReapedWithNothingLeftOpen(posix);
    }

    @Test
    void aFloodOfOutputIsCutShort() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.onStart(child ->
                child.writeStdout("9.0.0 ".repeat(1000))));
        assertEquals(new LibvirtdVersion.Unknown("/usr/sbin/libvirtd --version said more than 4096 bytes: killed"),
                new LibvirtdVersion(posix).ask(LIBVIRTD));
        assertReapedWithNothingLeftOpen(posix);
    }

    @Test
    void aMissingProgramIsNamedAndLeavesNothingOpen() {
        FakePosix posix = new FakePosix();
        assertEquals(new LibvirtdVersion.Unknown("/usr/sbin/libvirtd --version cannot run: spawn /usr/sbin/libvirtd: ENOENT"),
                new LibvirtdVersion(posix).ask(LIBVIRTD));
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
    }

    @Test
    void aRealProgramAnswersThroughTheKernel() throws IOException {
        String program = script("answers", "echo '/usr/sbin/libvirtd (libvirt) 11.3.0'");
        assertEquals(new LibvirtdVersion.Known(new LibvirtVersion(11, 3, 0)), new LibvirtdVersion(new JnrPosix()).ask(program));
    }

    @Test
    void aRealProgramThatClosesItsOutputButStaysIsKilledAndReaped() throws IOException {
        String program = script("stays", "exec >&-; exec sleep 60");
        Posix posix = new JnrPosix();
        assertEquals(new LibvirtdVersion.Unknown(program + " --version closed its output but did not exit within 300 ms: killed"),
                new LibvirtdVersion(posix, SHORT).ask(program));
    }

    private String script(String name, String body) throws IOException {
        Path file = scratch.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file.toString();
    }

    private static void assertReapedWithNothingLeftOpen(FakePosix posix) {
        int pid = posix.spawned().get(0).pid();
        assertTrue(!posix.isRunning(pid) && !posix.isZombie(pid), "pid " + pid + " reaped");
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.posix.FakePosix;

class PreflightTest {
    @TempDir
    Path directory;

    private Configuration configuration() {
        return SupervisorUnderTest.configuration("(service virtlog-service-type)\n(service libvirt-service-type)\n"
                + "(supervisor-configuration (control-socket \"" + directory.resolve("control.sock") + "\")"
                + " (state-directory \"/run/virtsup\"))\n");
    }

    private Preflight preflight(FakePosix posix) {
        return new Preflight(posix, configuration(), daemon -> Path.of("/run/" + daemon.programName() + ".pid"),
                directory.resolve("proc"));
    }

    @Test
    void aClearHostPasses() {
        assertTrue(preflight(new FakePosix()).noOutsideCopies());
    }

    @Test
    void aDaemonHoldingItsPidFileIsACopyOutsideVirtsup() {
        try (LogCapture log = new LogCapture("virtsup")) {
            assertFalse(preflight(new FakePosix().addFile("/run/libvirtd.pid", 0, 0, 0644).addProcess(777, 0).holdLock("/run/libvirtd.pid", 777)).noOutsideCopies());
            assertEquals(1, log.messages().size(), log.messages().toString());
            assertTrue(log.messages().get(0).startsWith("libvirtd is already running outside virtsup as pid 777"),
                    log.messages().get(0));
        }
    }

    @Test
    void aDaemonAnEarlierVirtsupLeftBehindIsNamedSo() throws IOException {
        Path cmdline = directory.resolve("proc/778/cmdline");
        Files.createDirectories(cmdline.getParent());
        Files.writeString(cmdline, "/usr/sbin/virtlogd\0-f\0/run/virtsup/virtlogd.conf\0");
        try (LogCapture log = new LogCapture("virtsup")) {
            assertFalse(preflight(new FakePosix().addFile("/run/virtlogd.pid", 0, 0, 0644).addProcess(778, 0).holdLock("/run/virtlogd.pid", 778)).noOutsideCopies());
            assertTrue(log.messages().get(0).startsWith("virtlogd is still running as pid 778, started by an"
                    + " earlier virtsup"), log.messages().get(0));
        }
    }

    @Test
    void anotherVirtsupAnsweringOnTheControlSocketIsNotStartedTwice() throws IOException {
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             LogCapture log = new LogCapture("virtsup")) {
            other.bind(UnixDomainSocketAddress.of(directory.resolve("control.sock")));
            assertFalse(preflight(new FakePosix()).noOutsideCopies());
            assertTrue(log.messages().get(0).contains("virtsup starts no second copy"), log.messages().toString());
        }
    }

    @Test
    void aSocketLeftByADeadVirtsupIsNoObstacle() throws IOException {
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(directory.resolve("control.sock")));
        }
        assertTrue(Files.exists(directory.resolve("control.sock")));
        assertTrue(preflight(new FakePosix()).noOutsideCopies());
    }

    @Test
    void runNeedsRoot() {
        IOException refused = assertThrows(IOException.class,
                () -> preflight(new FakePosix().asUser(1000, 1000)).requireRoot());
        assertTrue(refused.getMessage().contains("needs root"), refused.getMessage());
    }
}

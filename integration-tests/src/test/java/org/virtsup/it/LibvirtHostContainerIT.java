package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: what other container tests rely on. */
class LibvirtHostContainerIT {

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.create();

    @Test
    void execReportsExitCodeAndBothStreams() {
        ExecResult result = host.shell("echo out; echo err >&2; exit 3");
        assertEquals(3, result.exitCode());
        assertEquals("out\n", result.stdout());
        assertEquals("err\n", result.stderr());
        assertFalse(result.succeeded());
    }

    @Test
    void aCommandThatHangsIsEndedByItsTimeout() {
        long started = System.nanoTime();
        ExecResult result = host.exec(Duration.ofSeconds(1), "sleep", "60");
        assertTrue(result.timedOut(), result.describe());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "ended long before sleep would");
    }

    @Test
    void filesGoInAndComeBackUnchanged() {
        String text = "max_clients = 42\nlog_filters = \"1:qemu\"\n# é, ü: UTF-8\n";
        host.writeFile("/etc/virtsup-test/harness/nested/file.conf", text);
        assertEquals(text, host.readFile("/etc/virtsup-test/harness/nested/file.conf"));
        assertEquals("644", host.exec("stat", "-c", "%a", "/etc/virtsup-test/harness/nested/file.conf")
                .orFail().stdout().trim());
    }

    @Test
    void theHostIsPreparedForLibvirt() {
        assertEquals("docker-init", host.exec("ps", "-o", "comm=", "-p", "1").orFail().stdout().trim(),
                "a reaper is PID 1");
        assertTrue(host.exec("getent", "passwd", "libvirt-qemu").succeeded(), "user libvirt-qemu");
        assertTrue(host.exec("getent", "group", "libvirt-qemu").succeeded(), "group libvirt-qemu");
        assertTrue(host.exec("getent", "group", "libvirt").succeeded(), "group libvirt");
        assertTrue(host.exec("id", "-nG", "libvirt-qemu").orFail().stdout().contains("kvm"), "libvirt-qemu in kvm");
        String qemuConf = host.readFile("/etc/libvirt/qemu.conf");
        assertTrue(qemuConf.contains("remember_owner = 0\n"), qemuConf);
        assertTrue(qemuConf.contains("cgroup_controllers = [ ]\n"), qemuConf);
        // Preparing twice changes nothing.
        host.exec(LibvirtHostContainer.PREPARE_SCRIPT, "--container").orFail();
        assertEquals(qemuConf, host.readFile("/etc/libvirt/qemu.conf"));
    }

    @Test
    void startsAndStopsADaemonByItsPid() {
        DaemonProcess daemon = host.startDaemon("sleeper", "sleep", "1000");
        assertTrue(host.isAlive(daemon.pid()));
        assertEquals("sleep", host.exec("ps", "-o", "comm=", "-p", Integer.toString(daemon.pid()))
                .orFail().stdout().trim(), "the recorded pid is the daemon's own");
        host.stop(daemon);
        assertFalse(host.isAlive(daemon.pid()));
    }

    @Test
    void aBuiltImageRunsItsOwnPid1AndIsRemovedAfterwards(@TempDir Path context) throws IOException {
        Path containerfile = context.resolve("Containerfile");
        Files.writeString(containerfile, "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo built > /built-marker\n");
        String reference;
        try (LocalImage image = LocalImage.build("harness", context, containerfile,
                Map.of("BASE_IMAGE", TestSettings.baseImage().orElseThrow()), Duration.ofMinutes(2));
                LibvirtHostContainer own = LibvirtHostContainer.create().withImage(image.reference())
                        .withPid1("sleep", "infinity").start()) {
            reference = image.reference();
            assertEquals("built\n", own.readFile("/built-marker"));
            assertEquals("sleep", own.exec("ps", "-o", "comm=", "-p", "1").orFail().stdout().trim(),
                    "the command given is PID 1");
            assertTrue(own.exec("getent", "passwd", "libvirt-qemu").succeeded(), "prepared before PID 1 started");
            // KILL: sleep has no TERM handler, and the kernel drops a handler-less signal to PID 1.
            own.signalPid1("KILL");
            assertEquals(137, own.awaitPid1Exit(Duration.ofSeconds(20)));
        }
        assertFalse(DockerEngine.hasImage(reference), reference + " is removed");
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtsup.config.Configuration;

class DaemonProgramTest {
    private static final Path NOTIFY = Path.of("/run/virtsup/notify/libvirtd.sock");

    private static Configuration underOpt(String supervisor) {
        return ExecutorUnderTest.configuration("(service virtlog-service-type)\n"
                + "(service libvirt-service-type (libvirt-configuration (libvirt \"/opt/libvirt\")"
                + " (unix-sock-dir \"/run/opt-libvirt\")))\n" + supervisor);
    }

    @Test
    void aPrefixOtherThanUsrGivesTheDaemonsPathsAndPutsItsDirectoriesFirstInPath() {
        Configuration configuration = underOpt("(supervisor-configuration (listen? #t))\n");

        DaemonProgram libvirtd = DaemonProgram.libvirtd(configuration.libvirt().orElseThrow(),
                configuration.supervisor(), Path.of("/run/virtsup/libvirtd.conf"), NOTIFY, Map.of());
        DaemonProgram virtlogd = DaemonProgram.virtlogd(configuration.virtlog().orElseThrow(), configuration.prefix(),
                Path.of("/run/virtsup/virtlogd.conf"), NOTIFY, Map.of());

        assertEquals("/opt/libvirt/sbin/libvirtd", libvirtd.path());
        assertEquals(List.of("/opt/libvirt/sbin/libvirtd", "-f", "/run/virtsup/libvirtd.conf", "--listen"),
                libvirtd.argv());
        assertEquals(Path.of("/run/opt-libvirt/libvirt-sock"), libvirtd.socket());
        assertEquals("/opt/libvirt/sbin/virtlogd", virtlogd.path());
        assertEquals(List.of("/opt/libvirt/sbin/virtlogd", "-f", "/run/virtsup/virtlogd.conf"), virtlogd.argv());
        String path = "/opt/libvirt/sbin:/opt/libvirt/bin:" + DaemonProgram.SYSTEM_PATH;
        assertEquals(path, libvirtd.environment().get("PATH"));
        assertEquals(path, virtlogd.environment().get("PATH"));
    }

    @Test
    void theEnvironmentKeepsOnlyLocaleTimeZoneAndLibvirtsSwitches() {
        Map<String, String> ours = Map.of(
                "PATH", "/home/op/bin", "LANG", "de_DE.UTF-8", "LC_ALL", "C", "TZ", "UTC",
                "LIBVIRT_LOG_FILTERS", "1:qemu", "LD_LIBRARY_PATH", "/tmp", "CLASSPATH", "/x.jar",
                "NOTIFY_SOCKET", "/run/systemd/notify", "LANGUAGE", "de", "XLIBVIRT_X", "no");

        Map<String, String> env = DaemonProgram.environment("/usr", NOTIFY, ours);

        assertEquals(Map.of(
                "PATH", DaemonProgram.SYSTEM_PATH,
                "HOME", "/root",
                "LANG", "de_DE.UTF-8",
                "LC_ALL", "C",
                "TZ", "UTC",
                "LIBVIRT_LOG_FILTERS", "1:qemu",
                "NOTIFY_SOCKET", NOTIFY.toString()), env);
    }

    @Test
    void systemdsNotifySocketNeverReachesADaemonWithoutOneOfItsOwn() {
        // Else the daemon's READY=1 would go to systemd as if virtsup were ready.
        Map<String, String> env = DaemonProgram.environment("/usr", null,
                Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "HOME", "/var/lib/virtsup"));

        assertFalse(env.containsKey("NOTIFY_SOCKET"), env.toString());
        assertEquals("/var/lib/virtsup", env.get("HOME"));
    }

    @Test
    void aPrefixWrittenWithATrailingSlashIsTheSamePrefix() {
        assertEquals(DaemonProgram.environment("/usr", NOTIFY, Map.of()),
                DaemonProgram.environment("/usr/", NOTIFY, Map.of()));
        assertEquals(DaemonProgram.environment("/opt/libvirt", NOTIFY, Map.of()),
                DaemonProgram.environment("/opt/libvirt/", NOTIFY, Map.of()));
    }

    /** libvirtd refuses --listen beside handed sockets: its TCP and TLS sockets are handed or not instead. */
    @Test
    void handedSocketsStartTheDaemonThroughTheExecInPlaceStepWithoutListen() {
        Configuration configuration = underOpt("(supervisor-configuration (listen? #t))\n");
        DaemonProgram bare = DaemonProgram.libvirtd(configuration.libvirt().orElseThrow(),
                configuration.supervisor(), Path.of("/run/virtsup/libvirtd.conf"), NOTIFY, Map.of());
        org.virtsup.sockets.HeldSocket socket = new org.virtsup.sockets.HeldSocket(
                new org.virtsup.sockets.SocketSpec(org.virtsup.supervise.Daemon.LIBVIRTD, "libvirtd.socket",
                        new org.virtsup.sockets.Endpoint.Unix("/run/opt-libvirt/libvirt-sock", 0, 0700)), 42, 4242);

        DaemonProgram handed = bare.handed(new org.virtsup.sockets.HandOff(List.of(socket)));

        assertEquals("/bin/sh", handed.path());
        assertEquals(List.of("sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", "/opt/libvirt/sbin/libvirtd", "-f",
                "/run/virtsup/libvirtd.conf"), handed.argv());
        assertEquals("1", handed.environment().get("LISTEN_FDS"));
        assertEquals("libvirtd.socket", handed.environment().get("LISTEN_FDNAMES"));
        assertEquals(bare.environment().get("PATH"), handed.environment().get("PATH"));
        assertEquals(List.of(42), handed.passed());
        assertEquals(bare, bare.handed(new org.virtsup.sockets.HandOff(List.of())), "nothing to hand: unchanged");
    }
}

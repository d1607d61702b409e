package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * The control socket with a control-group, used by real unprivileged users
 * inside the container: a member of the group may read the status and
 * restart a daemon; anyone else cannot even connect (the socket is 0660,
 * root and the control group) and the CLI says it cannot reach virtsup.
 */
class ControlGroupIT {
    private static final String CONFIGURATION = """
            (supervisor-configuration
             (control-group "virtops"))
            (service virtlog-service-type
                     (virtlog-configuration))
            (service libvirt-service-type
                     (libvirt-configuration))
            """;

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create()
            .preparedForLibvirt()
            // The control group must exist before virtsup starts: run checks it like every group it names.
            .withSetup("groupadd virtops")
            .withSetup("useradd --no-create-home --groups virtops member")
            .withSetup("useradd --no-create-home stranger")
            .withConfiguration(CONFIGURATION);

    @Test
    void membersMayRestartAndStrangersCannotConnect() {
        Poll.until("libvirtd answers virsh", Duration.ofSeconds(60), host::libvirtdAnswers);
        int libvirtd = host.pidFile("/run/libvirtd.pid").orElseThrow();
        String socket = host.exec("stat", "-c", "%a %U %G", "/run/virtsup/control.sock").orFail().stdout().trim();

        ExecResult memberStatus = as("member", "status", "--json");
        ExecResult memberRestart = as("member", "restart", "libvirtd");
        Poll.until("the restarted libvirtd answers virsh", Duration.ofSeconds(60), host::libvirtdAnswers);
        int restarted = host.pidFile("/run/libvirtd.pid").orElseThrow();
        ExecResult strangerStatus = as("stranger", "status");
        ExecResult strangerStop = as("stranger", "stop", "libvirtd");

        assertAll(
                () -> assertEquals("660 root virtops", socket, "the control socket's mode and owners"),
                () -> assertEquals(0, memberStatus.exitCode(), memberStatus.describe()),
                () -> assertEquals(libvirtd, SupervisorStatus.number(
                        SupervisorStatus.parse(memberStatus.stdout()).libvirtd(), "pid")),
                () -> assertEquals(0, memberRestart.exitCode(), memberRestart.describe()),
                () -> assertNotEquals(libvirtd, restarted, "the member's restart happened"),
                () -> assertEquals(4, strangerStatus.exitCode(), "cannot reach virtsup: " + strangerStatus.describe()),
                () -> assertTrue(strangerStatus.stderr()
                        .contains("virtsup does not answer on /run/virtsup/control.sock"), strangerStatus.describe()),
                () -> assertEquals(4, strangerStop.exitCode(), strangerStop.describe()),
                () -> assertEquals(restarted, host.pidFile("/run/libvirtd.pid").orElseThrow(),
                        "the stranger's stop changed nothing"));
    }

    /** virtsup's CLI run as {@code user}, with the JVM's files in that user's reach. */
    private static ExecResult as(String user, String... arguments) {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--", "java", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", SupervisorContainer.VIRTSUP_HOME + "/virtsup.jar:"
                        + SupervisorContainer.VIRTSUP_HOME + "/lib/*", "org.virtsup.cli.Main"));
        argv.addAll(List.of(arguments));
        return host.exec(argv.toArray(String[]::new));
    }
}

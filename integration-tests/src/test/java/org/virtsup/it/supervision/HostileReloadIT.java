package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * The running configuration file replaced by hostile files, then SIGHUP:
 * a file nested 3,000 deep, random bytes, an unterminated string. Each reload
 * is refused with the file's position; virtsup (PID 1), virtlogd and libvirtd
 * keep running with the same pids, {@code virtsup status} exits 0, and
 * {@code virtsup check} on the file exits 78 with one positioned line and no
 * stack trace. One container for the class: each test starts once both
 * daemons answer, whatever file an earlier test left in place.
 */
class HostileReloadIT {
    private static final String LIBVIRTD_PID = "/run/libvirtd.pid";
    private static final String VIRTLOGD_PID = "/run/virtlogd.pid";
    private static final String CONFIG = SupervisorContainer.CONFIG;
    private static final String VALID = """
            (service virtlog-service-type)
            (service libvirt-service-type (libvirt-configuration (max-workers 9)))
            """;
    private static final String REFUSED = "virtsup: reload refused: ";
    private static final Pattern POSITIONED = Pattern.compile(Pattern.quote(CONFIG) + ":[0-9]+:[0-9]+: error: .+\n");

    /**
     * virtsup runs with the stack and heap the Debian launcher gives {@code virtsup run}
     * (packaging/debian/virtsup): what hostile input must not exhaust. They go on the java
     * command line, after "java" ($1), which the setup then execs: only there does -Xss
     * size the main thread, where a reload is read.
     */
    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt().withConfiguration(VALID)
            .withSetup("set -- \"$1\" -Xms4m -Xmx64m -Xss256k \"${@:2}\"");

    @BeforeEach
    void bothDaemonsAnswer() {
        Poll.until("libvirtd answers virsh and virtsup status exits 0", Duration.ofSeconds(60),
                () -> host.libvirtdAnswers() && host.virtsup("status").exitCode() == 0);
    }

    @Test
    void bothDaemonsComeUp() {
        Poll.until("libvirtd answers virsh -c qemu:///system version", Duration.ofSeconds(60), host::libvirtdAnswers);
        assertEquals(0, host.virtsup("status").exitCode());
        String commandLine = host.exec("sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline").stdout();
        assertTrue(commandLine.startsWith("java -Xms4m -Xmx64m -Xss256k "), commandLine);
    }

    @Test
    void aFileNestedThreeThousandDeep() {
        String text = "(service libvirt-service-type\n" + "(".repeat(3000) + ")".repeat(3001) + "\n";
        refusedOnHup(text, CONFIG + ":2:256: error: data nested more than 256 levels deep");
    }

    @Test
    void randomBytes() {
        byte[] bytes = new byte[16 * 1024];
        new Random(20261203).nextBytes(bytes);
        writeBytes(bytes);
        refusedOnHup(CONFIG + ":");
    }

    @Test
    void anUnterminatedString() {
        refusedOnHup("(service virtlog-service-type)\n(service libvirt-service-type\n (libvirt-configuration (tls-port \"16514)))\n",
                CONFIG + ":3:35: error: unterminated string: the '\"' opened here is never closed");
    }

    /** After a refused file, a valid file is taken up as usual. */
    @Test
    void aValidFileAfterARefusedOneIsApplied() {
        int before = VirtsupLog.of(host).count(REFUSED);
        host.writeFile(CONFIG, "(service libvirt-service-type\n");
        host.signalPid1("HUP");
        Poll.until("virtsup refuses a file cut short", Duration.ofSeconds(20),
                () -> VirtsupLog.of(host).count(REFUSED) > before);
        int refused = VirtsupLog.of(host).count(REFUSED);
        host.writeFile(CONFIG, VALID.replace("(max-workers 9)", "(max-workers 8)"));
        host.signalPid1("HUP");
        Poll.until("libvirtd restarted with the new file", Duration.ofSeconds(60),
                () -> host.exec("grep", "-qx", "max_workers = 8", "/run/virtsup/libvirtd.conf").succeeded()
                        && host.libvirtdAnswers());
        assertEquals(refused, VirtsupLog.of(host).count(REFUSED));
        assertEquals(0, host.virtsup("status").exitCode());
    }

    private void refusedOnHup(String text, String expectedError) {
        host.writeFile(CONFIG, text);
        refusedOnHup(expectedError);
    }

    /** SIGHUP with the file in place: refused, nothing changed, and check says where. */
    private void refusedOnHup(String expectedError) {
        int virtlogd = host.pidFile(VIRTLOGD_PID).orElseThrow();
        int libvirtd = host.pidFile(LIBVIRTD_PID).orElseThrow();
        int supervisor = SupervisorStatus.of(host).supervisorPid();
        int refused = VirtsupLog.of(host).count(REFUSED);
        host.signalPid1("HUP");
        Poll.until("virtsup refuses the reload, or dies", Duration.ofSeconds(20),
                () -> !host.isRunning() || VirtsupLog.of(host).count(REFUSED) > refused);
        assertTrue(host.isRunning(), "virtsup (PID 1) is still running");
        ExecResult status = host.virtsup("status");
        ExecResult check = host.virtsup("check", "--config", CONFIG);
        assertAll(
                () -> assertTrue(VirtsupLog.of(host).has(REFUSED + expectedError),
                        () -> "the log names the position:\n" + VirtsupLog.of(host)),
                () -> assertEquals(supervisor, SupervisorStatus.of(host).supervisorPid(), "virtsup is the same process"),
                () -> assertEquals(virtlogd, host.pidFile(VIRTLOGD_PID).orElseThrow(), "virtlogd kept running"),
                () -> assertEquals(libvirtd, host.pidFile(LIBVIRTD_PID).orElseThrow(), "libvirtd kept running"),
                () -> assertTrue(host.exec("kill", "-0", Integer.toString(virtlogd), Integer.toString(libvirtd)).succeeded()),
                () -> assertTrue(host.libvirtdAnswers()),
                () -> assertEquals(0, status.exitCode(), status::describe),
                () -> assertEquals(78, check.exitCode(), check::describe),
                () -> assertTrue(POSITIONED.matcher(check.stderr()).matches(), check::describe),
                () -> assertTrue(check.stderr().startsWith(expectedError), check::describe),
                () -> assertFalse(check.stderr().contains("\tat ") || check.stderr().contains("Exception"), check::describe));
    }

    /** The bytes as they are (writeFile takes text): through base64 in the container. */
    private static void writeBytes(byte[] bytes) {
        host.exec("sh", "-c", "printf %s \"$1\" | base64 -d > " + CONFIG, "sh", Base64.getEncoder().encodeToString(bytes)).orFail();
    }
}

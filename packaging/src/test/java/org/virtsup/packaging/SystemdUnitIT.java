package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * virtsup.service under a real systemd: a Debian root with systemd as init
 * (packaging/dev/build-nspawn-root) booted with systemd-nspawn, the .deb
 * installed in it, driven through systemctl by systemd/scenario.sh, which
 * reports what it saw as KEY=VALUE lines. The root is mounted with
 * --volatile=overlay: every boot starts from the same cached root and
 * leaves it unchanged. The host runs no machined, so the container is not
 * registered (--register=no) and stays in the test's own unit (--keep-unit).
 */
class SystemdUnitIT {

    private static final long BOOT_TIMEOUT_SECONDS = 300;
    /** What the scenario installs first; the built package is then installed over it, as an upgrade. */
    private static final String OLDER_VERSION = "0.0.1~older";

    @ParameterizedTest(name = "on Debian {0}")
    @ValueSource(strings = {"bookworm", "trixie"})
    void theUnitStartsReloadsSupervisesAndStopsUnderSystemd(String release, @TempDir Path work) throws IOException {
        Map<String, String> report = boot(release, work);

        assertEquals("yes", report.get("done"), "the scenario ran to its end: " + report);
        assertEquals("0", report.get("dpkg_install"), "dpkg -i");
        assertEquals("0", report.get("dpkg_takeover"), "VIRTSUP_TAKE_OVER=1 dpkg -i");
        if (!report.get("libvirt_units").isEmpty()) {
            // Debian 13: libvirt's own sockets were enabled and running at installation.
            assertNotEquals("0", report.get("install_names_units"), "postinst names libvirt's units in the way");
            assertEquals("inactive", report.get("active_after_install"), "without VIRTSUP_TAKE_OVER nothing starts");
            assertEquals("1", report.get("takeover_refused_for_guest"),
                    "VIRTSUP_TAKE_OVER=1 is refused while a guest runs and virtlogd.service holds its log");
            assertEquals("active", report.get("virtlogd_after_refused_takeover"), "libvirt's virtlogd was left alone");
            assertEquals("inactive", report.get("virtsup_after_refused_takeover"));
            assertEquals(report.get("libvirt_units"), report.get("masked"),
                    "VIRTSUP_TAKE_OVER=1 masks every libvirt unit that was in the way");
        }
        assertEquals("active", report.get("active_after_start"));
        assertEquals("yes", report.get("ready_after_start"), "systemctl start returns once both daemons are ready");
        assertEquals("yes", report.get("ready_after_restart"), "systemctl start returns once both daemons are ready");

        assertEquals("0", report.get("reload_ok"), "systemctl reload, valid file");
        assertEquals("0", report.get("reload_changed"), "systemctl reload, libvirtd's file changed");
        assertEquals("yes", report.get("libvirtd_restarted_by_reload"), "a changed libvirtd.conf restarts libvirtd");
        assertEquals("yes", report.get("ready_right_after_changed_reload"),
                "systemctl reload returns once the restarted libvirtd is ready");
        assertNotEquals("0", report.get("reload_bad"), "systemctl reload fails for an invalid file");
        assertEquals("active", report.get("active_after_bad_reload"), "an invalid file changes nothing");

        assertEquals("yes", report.get("ready_after_libvirtd_kill"), "virtsup restarts a libvirtd killed with -9");
        assertEquals("0", report.get("unit_restarts_after_libvirtd_kill"), "systemd did not restart virtsup");
        assertEquals("active", report.get("active_after_libvirtd_kill"));

        assertEquals("0", report.get("guest_started"), "a guest starts under the unit's sandbox: " + report.get("guest_log"));
        assertEquals("running", report.get("guest_state"));
        assertEquals("alive", report.get("guest_after_stop"), "the guest outlives systemctl stop virtsup");
        assertEquals("running", report.get("guest_state_after_start"), "the next libvirtd finds it running");
        assertEquals("yes", report.get("guest_pid_kept"));

        assertEquals("yes", report.get("ready_after_virtsup_kill"), "kill -9 of virtsup: systemd starts it again");
        assertEquals("yes", report.get("daemons_kept_after_virtsup_kill"), "the new virtsup adopts the same daemons");
        assertTrue(report.get("state_after_virtsup_kill").contains("ActiveState=active")
                && report.get("state_after_virtsup_kill").contains("NRestarts=1"), report.get("state_after_virtsup_kill"));

        assertTrue(report.get("sockets_before_virtsup_kill").contains("libvirtd.socket="),
                report.get("sockets_before_virtsup_kill"));
        assertEquals(report.get("sockets_before_virtsup_kill"), report.get("sockets_after_virtsup_kill"),
                "the new virtsup holds the very same sockets (same inodes), passed back by the fd store");
        if (!report.get("fdstore_before_virtsup_kill").isEmpty()) { // systemd 254 and later count them
            assertEquals(report.get("sockets_before_virtsup_kill").trim().split(" ").length + 1,
                    Integer.parseInt(report.get("fdstore_before_virtsup_kill")),
                    "one stored copy per held socket, and the control socket's");
        }
        assertNotEquals("4", report.get("status_while_virtsup_down"),
                "virtsup status right after kill -9 of virtsup waits for the next one instead of being unreachable");
        assertEquals("0", report.get("connects_failed_while_adopted_libvirtd_restarts"),
                "no client fails while the adopted libvirtd restarts, out of "
                        + report.get("connects_while_adopted_libvirtd_restarts"));
        assertEquals("yes", report.get("libvirtd_restarted_after_adoption"));
        assertEquals("0", report.get("reexec"), "virtsup reexec under systemd");
        assertTrue(report.get("state_after_reexec").contains("ActiveState=active"), report.get("state_after_reexec"));
        assertEquals("yes", report.get("pids_kept_by_reexec"), "same main pid, same libvirtd and virtlogd");
        assertEquals("0", report.get("unit_restarts_by_reexec"), "systemd restarted nothing");
        assertEquals("1", report.get("reexecs_after_reexec"), "status counts the re-exec");
        assertEquals(OLDER_VERSION, report.get("version_before_upgrade"), "the older package ran");
        assertEquals("0", report.get("dpkg_upgrade"), "dpkg -i over the running virtsup");
        assertNotEquals(OLDER_VERSION, report.get("version_after_upgrade"), "the new code runs");
        assertTrue(!report.get("version_after_upgrade").isEmpty(), "status answers after the upgrade");
        assertNotEquals(OLDER_VERSION, report.get("package_after_upgrade"), "dpkg has the new package");
        assertEquals("1", report.get("upgrade_said_reexec"), "postinst re-executed the running virtsup");
        assertTrue(report.get("state_after_upgrade").contains("ActiveState=active"), report.get("state_after_upgrade"));
        assertEquals("yes", report.get("pids_kept_by_upgrade"), "the upgrade kept every pid");
        assertEquals("2", report.get("reexecs_after_upgrade"), "the upgrade re-executed virtsup once more");

        assertTrue(report.get("state_after_stop").contains("ActiveState=inactive")
                && report.get("state_after_stop").contains("Result=success"), report.get("state_after_stop"));
        assertEquals("libvirtd-then-virtlogd", report.get("stop_order"));
        assertEquals("kept", report.get("runtime_directory_after_stop"), "RuntimeDirectoryPreserve=yes");

        assertNotEquals("0", report.get("start_bad"), "systemctl start with an invalid file");
        assertTrue(report.get("state_after_bad_start").contains("ExecMainStatus=78")
                        && report.get("state_after_bad_start").contains("NRestarts=0"),
                "exit 78 is not restarted (RestartPreventExitStatus=78): " + report.get("state_after_bad_start"));
        assertNotEquals("0", report.get("error_lines_at_err"), "the configuration's errors reach the journal as err");
        assertEquals("0", report.get("error_lines_not_at_err"), "no configuration error at a lower priority");
        assertNotEquals("0", report.get("info_lines_at_info"), "virtsup's info lines stay info");

        assertEquals("0", report.get("verify"), "systemd-analyze verify virtsup.service");
        assertEquals("0", report.get("verify_lines"), "systemd-analyze verify printed nothing");

        String tag = release.toLowerCase(Locale.ROOT);
        System.out.println("virtsup-benchmark: systemd unit on Debian " + tag + " (systemd " + report.get("systemd")
                + ", libvirt " + report.get("libvirt") + "): systemctl start " + report.get("start_ms")
                + " ms, stop " + report.get("stop_ms") + " ms, reload " + report.get("reload_ok_ms")
                + " ms, reload with libvirtd's file changed " + report.get("reload_changed_ms") + " ms");
        System.out.println("virtsup-systemd: Debian " + tag + ": systemd-analyze security virtsup.service: "
                + report.get("security"));
        System.out.println("virtsup-systemd: Debian " + tag + ": a guest under the unit: virsh start " + report.get("guest_started")
                + ", " + report.get("guest_state") + "; after systemctl stop: " + report.get("guest_after_stop")
                + "; after start: " + report.get("guest_state_after_start") + ", same pid " + report.get("guest_pid_kept")
                + "; virsh said: " + report.get("guest_log"));
        System.out.println("virtsup-systemd: Debian " + tag + ": after kill -9 of virtsup: ready again "
                + report.get("ready_after_virtsup_kill") + " in " + report.get("ready_after_virtsup_kill_ms") + " ms, "
                + report.get("state_after_virtsup_kill") + "; daemons kept " + report.get("daemons_kept_after_virtsup_kill")
                + ", status lines saying adopted " + report.get("adopted_in_status"));
        System.out.println("virtsup-benchmark: systemd unit on Debian " + tag + ": virtsup run after kill -9 of"
                + " virtsup, from its exec until both daemons are adopted and ready: " + report.get("adopted_ready_ms")
                + " ms (journal, monotonic)");
        System.out.println("virtsup-benchmark: systemd unit on Debian " + tag + ": virtsup reexec until status is 0"
                + " again " + report.get("reexec_ms") + " ms; " + report.get("state_after_upgrade") + " after dpkg -i"
                + " over the running virtsup");
    }

    private static Map<String, String> boot(String release, Path work) throws IOException {
        OutsideTool.require("systemd-nspawn", List.of("systemd-nspawn", "--version"));
        String property = "virtsup.nspawnRoot." + release;
        String variable = "VIRTSUP_NSPAWN_ROOT_" + release.toUpperCase(Locale.ROOT);
        String given = System.getProperty(property, "");
        if (given.isBlank() || given.startsWith("${")) {
            given = System.getenv().getOrDefault(variable, "");
        }
        OutsideTool.requireThat(!given.isBlank(), "the " + release + " nspawn root (" + variable
                + ", made by packaging/dev/build-nspawn-root " + release + ")");
        Path root = Path.of(given);

        Path results = Files.createDirectories(work.resolve("results"));
        Path pkg = Files.createDirectories(work.resolve("pkg"));
        Files.copy(BuiltDeb.path(), pkg.resolve("virtsup.deb"));
        OlderDeb.make(BuiltDeb.path(), OLDER_VERSION, work, pkg.resolve("virtsup-older.deb"));
        Path scenario = results.resolve("scenario.sh");
        try (InputStream in = SystemdUnitIT.class.getResourceAsStream("/systemd/scenario.sh")) {
            Files.copy(in, scenario, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(scenario, PosixFilePermissions.fromString("rwxr-xr-x"));
        // The scenario runs once the system is up and powers it off when it ends, however it ends.
        Path unit = work.resolve("virtsup-scenario.service");
        Files.writeString(unit, String.join("\n",
                "[Unit]",
                "Description=virtsup.service's test scenario",
                "After=multi-user.target",
                "SuccessAction=poweroff",
                "FailureAction=poweroff",
                "[Service]",
                "Type=oneshot",
                "ExecStart=/results/scenario.sh",
                "StandardOutput=file:/results/scenario.out",
                "StandardError=file:/results/scenario.err",
                "TimeoutStartSec=" + (BOOT_TIMEOUT_SECONDS - 60),
                ""));
        OutsideTool.Outcome outcome = OutsideTool.run(List.of("timeout", "-k", "10", Long.toString(BOOT_TIMEOUT_SECONDS),
                "systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "--kill-signal=SIGKILL",
                "--directory=" + root, "--volatile=overlay",
                "--bind=" + results + ":/results", "--bind-ro=" + pkg + ":/pkg",
                "--bind-ro=" + unit + ":/etc/systemd/system/virtsup-scenario.service",
                "--boot", "systemd.wants=virtsup-scenario.service"), Map.of(), BOOT_TIMEOUT_SECONDS + 30);
        Path reportFile = results.resolve("report");
        String text = Files.exists(reportFile) ? Files.readString(reportFile) : "";
        if (!text.contains("done=yes")) {
            System.out.println("systemd-nspawn exited " + outcome.exitCode() + "\n--- console\n" + outcome.stdout()
                    + outcome.stderr() + "\n--- scenario's stderr\n" + readIfThere(results.resolve("scenario.err")));
        }
        if (text.contains("done=yes") && !text.contains("\nreexec=0\n")) {
            System.out.println("--- virtsup reexec\n" + readIfThere(results.resolve("reexec.log"))
                    + "\n--- virtsup's journal after it\n" + readIfThere(results.resolve("reexec-journal.log")));
        }
        System.out.println("--- virtsup's journal on Debian " + release + " from its kill -9 to its adoption of the"
                + " daemons\n" + readIfThere(results.resolve("adoption-journal.log")));
        if (text.contains("done=yes") && !text.contains("verify=0")) {
            System.out.println("--- systemd-analyze verify\n" + readIfThere(results.resolve("verify.log")));
        }
        Map<String, String> report = Arrays.stream(text.split("\n"))
                .filter(line -> line.contains("="))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                        line -> line.substring(line.indexOf('=') + 1).strip(), (a, b) -> b, TreeMap::new));
        System.out.println("Debian " + release + ": " + report);
        return report;
    }

    private static String readIfThere(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "(none)";
    }
}

package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.adopt.ProcessIdentity;
import org.virtsup.adopt.StateRecord;
import org.virtsup.config.Configuration;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;

/** Preflight with a state record: the daemons it names as they run are adopted, anything else refused. */
class PreflightAdoptionTest {
    static final String DIGEST = "0".repeat(64);
    static final ProcessIdentity VIRTLOGD = FakeProc.process(811, 5000, "/usr/sbin/virtlogd", "/usr/sbin/virtlogd",
            "--config", "/run/virtsup/virtlogd.conf");
    static final ProcessIdentity LIBVIRTD = FakeProc.process(812, 5010, "/usr/sbin/libvirtd", "/usr/sbin/libvirtd",
            "--config", "/run/virtsup/libvirtd.conf");

    @TempDir
    Path directory;

    private final FakePosix posix = new FakePosix().addFile("/run/libvirtd.pid", 0, 0, 0644)
            .addFile("/run/virtlogd.pid", 0, 0, 0644);

    private Preflight preflight() {
        Configuration configuration = ExecutorUnderTest.configuration("(service virtlog-service-type)\n"
                + "(service libvirt-service-type)\n(supervisor-configuration (control-socket \""
                + directory.resolve("control.sock") + "\") (state-directory \"/run/virtsup\"))\n");
        return new Preflight(posix, configuration, daemon -> Path.of("/run/" + daemon.programName() + ".pid"),
                directory.resolve("proc"));
    }

    private void running(ProcessIdentity process, String pidFile) {
        posix.addProcess(process.pid(), 0).holdLock(pidFile, process.pid());
        new FakeProc(directory.resolve("proc")).add(process);
    }

    private static StateRecord recording(ProcessIdentity... processes) {
        Map<Daemon, DaemonRecord> daemons = new java.util.EnumMap<>(Daemon.class);
        for (ProcessIdentity process : processes) {
            Daemon daemon = process.executable().endsWith("libvirtd") ? Daemon.LIBVIRTD : Daemon.VIRTLOGD;
            daemons.put(daemon, new DaemonRecord(daemon, process, DIGEST, Map.of()));
        }
        return new StateRecord(daemons);
    }

    @Test
    void bothDaemonsRunningAsRecordedAreAdoptedEachWithItsPidfd() {
        running(VIRTLOGD, "/run/virtlogd.pid");
        running(LIBVIRTD, "/run/libvirtd.pid");
        List<AdoptedDaemon> adopted = preflight().check(recording(VIRTLOGD, LIBVIRTD)).orElseThrow();
        assertEquals(List.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD), adopted.stream().map(AdoptedDaemon::daemon).toList());
        assertEquals(List.of(811, 812), adopted.stream().map(AdoptedDaemon::pid).toList());
        assertTrue(posix.calls().containsAll(List.of("pidfd_open 811", "pidfd_open 812")), posix.calls().toString());
        assertEquals(5, posix.openDescriptors().size(), "0-2 and the two pidfds: " + posix.openDescriptors());
    }

    @Test
    void aReusedPidIsRefusedWithItsPidAndWhatToDoAndNothingIsLeftOpen() {
        running(FakeProc.process(812, 9999, LIBVIRTD.executable(), LIBVIRTD.commandLine().toArray(String[]::new)),
                "/run/libvirtd.pid");
        try (LogCapture log = new LogCapture("virtsup")) {
            assertEquals(Optional.empty(), preflight().check(recording(LIBVIRTD)));
            assertEquals(List.of("libvirtd is still running as pid 812, recorded by an earlier virtsup, but virtsup"
                    + " cannot adopt it: pid 812 started at tick 9999 since boot, not at tick 5010 as recorded: it is"
                    + " another process with the same pid. Stop it with 'kill -TERM 812' and start virtsup again"
                    + " (running guests are not affected). virtsup starts no second copy and has changed nothing."),
                    log.messages());
        }
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
        assertEquals(List.of(), posix.signalsSentTo(812), "left untouched");
    }

    @Test
    void aForeignDaemonBesidesAnAdoptableOneRefusesTheStartAndClosesThePidfdOpened() {
        running(VIRTLOGD, "/run/virtlogd.pid");
        running(LIBVIRTD, "/run/libvirtd.pid");
        try (LogCapture log = new LogCapture("virtsup")) {
            assertEquals(Optional.empty(), preflight().check(recording(VIRTLOGD)));
            assertTrue(log.messages().get(0).startsWith("libvirtd is still running as pid 812, started by an earlier"
                    + " virtsup that ended without stopping it"), log.messages().toString());
        }
        assertEquals(List.of(0, 1, 2), posix.openDescriptors());
        assertEquals(List.of(), posix.signalsSentTo(811));
        assertEquals(List.of(), posix.signalsSentTo(812));
    }

    @Test
    void noDaemonRunningIsNothingToAdopt() {
        assertEquals(Optional.of(List.of()), preflight().check(recording(VIRTLOGD, LIBVIRTD)));
    }
}

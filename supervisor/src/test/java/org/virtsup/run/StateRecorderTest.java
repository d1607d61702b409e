package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.adopt.ProcessIdentity;
import org.virtsup.adopt.StateRecord;
import org.virtsup.adopt.StateRecordFile;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

class StateRecorderTest {
    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    static final ProcessIdentity VIRTLOGD = FakeProc.process(100, 5000, "/usr/sbin/virtlogd", "virtlogd", "-f", "x");

    @TempDir
    Path directory;
    private FakeProc proc;
    private StateRecordFile file;
    private StateRecorder recorder;
    private Supervision supervision = Supervision.initial(Policy.defaults(), Set.of(Daemon.VIRTLOGD));

    @BeforeEach
    void create() throws IOException {
        proc = new FakeProc(directory.resolve("proc")).add(VIRTLOGD);
        Files.writeString(directory.resolve("virtlogd.conf"), "max_clients = 1024\n");
        file = new StateRecordFile(Files.createDirectory(directory.resolve("state")),
                (Integer) Files.getAttribute(directory, "unix:uid"));
        recorder = new StateRecorder(file, proc.root, daemon -> directory.resolve(daemon.programName() + ".conf"),
                daemon -> Map.of("virtlogd.socket", 4711L));
    }

    private void step(Event event) {
        supervision = supervision.on(event, T0).supervision();
        recorder.stepped(supervision);
    }

    private StateRecord read() {
        return file.read().orElseThrow();
    }

    @Test
    void aDaemonIsRecordedOnceReadyAndForgottenOnceEnded() throws IOException {
        step(new Event.Boot());
        step(new Event.Spawned(Daemon.VIRTLOGD, 100));
        assertEquals(StateRecord.empty(), read(), "not before it is ready: the pid may still be the exec step");
        step(new Event.Ready(Daemon.VIRTLOGD, 100));
        DaemonRecord recorded = read().of(Daemon.VIRTLOGD).orElseThrow();
        assertEquals(VIRTLOGD, recorded.process());
        assertEquals(StateRecorder.digestOf(directory.resolve("virtlogd.conf")), recorded.configurationDigest());
        assertEquals(Map.of("virtlogd.socket", 4711L), recorded.socketInodes());
        step(new Event.Exited(100, new org.virtsup.supervise.Termination.Killed(9, false)));
        assertEquals(Optional.empty(), read().of(Daemon.VIRTLOGD));
    }

    @Test
    void aReexecutedVirtlogdIsReadAgainOnceReady() {
        step(new Event.Boot());
        step(new Event.Spawned(Daemon.VIRTLOGD, 100));
        step(new Event.Ready(Daemon.VIRTLOGD, 100));
        ProcessIdentity reexecuted = FakeProc.process(100, 5000, "/usr/sbin/virtlogd", "virtlogd", "-f", "y");
        proc.add(reexecuted);
        step(new Event.Reload(Daemon.VIRTLOGD));
        assertEquals(VIRTLOGD, read().of(Daemon.VIRTLOGD).orElseThrow().process(), "kept while it re-executes");
        step(new Event.Ready(Daemon.VIRTLOGD, 100));
        assertEquals(reexecuted, read().of(Daemon.VIRTLOGD).orElseThrow().process());
    }

    @Test
    void anAdoptedDaemonKeepsItsRecordedConfiguration() {
        DaemonRecord old = new DaemonRecord(Daemon.VIRTLOGD, VIRTLOGD, "a".repeat(64), Map.of("virtlogd.socket", 1L));
        recorder.adopted(old);
        step(new Event.Adopted(Daemon.VIRTLOGD, 100));
        step(new Event.Boot());
        assertEquals(Optional.of(old), read().of(Daemon.VIRTLOGD));
    }

    /**
     * Adopted one after the other, as boot does: the second adoption's step
     * must write the record again, though the entries it compares already
     * hold the second daemon. Without that, a virtsup that adopted both
     * daemons recorded only the first, and the next one (after a crash or a
     * re-exec) refused the other as "no state record names it".
     */
    @Test
    void daemonsAdoptedOneAfterTheOtherAreBothRecorded() throws IOException {
        ProcessIdentity libvirtd = FakeProc.process(200, 5100, "/usr/sbin/libvirtd", "libvirtd", "-f", "z");
        proc.add(libvirtd);
        Files.writeString(directory.resolve("libvirtd.conf"), "max_workers = 20\n");
        supervision = Supervision.initial(Policy.defaults(), Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD));
        DaemonRecord virtlogdRecord = new DaemonRecord(Daemon.VIRTLOGD, VIRTLOGD, "a".repeat(64), Map.of());
        DaemonRecord libvirtdRecord = new DaemonRecord(Daemon.LIBVIRTD, libvirtd, "b".repeat(64), Map.of());
        recorder.adopted(virtlogdRecord);
        step(new Event.Adopted(Daemon.VIRTLOGD, 100));
        recorder.adopted(libvirtdRecord);
        step(new Event.Adopted(Daemon.LIBVIRTD, 200));
        step(new Event.Boot());
        assertEquals(new StateRecord(Map.of(Daemon.VIRTLOGD, virtlogdRecord, Daemon.LIBVIRTD, libvirtdRecord)), read());
    }

    @Test
    void aRecordThatCannotBeWrittenIsLoggedAndSupervisionGoesOn() throws IOException {
        Files.delete(directory.resolve("state"));
        try (LogCapture log = new LogCapture("virtsup")) {
            step(new Event.Boot());
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("cannot write the state record")),
                    log.messages().toString());
        }
    }
}

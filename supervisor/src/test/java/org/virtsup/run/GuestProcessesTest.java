package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A /proc and a QEMU driver run directory (/run/libvirt/qemu) written by the test. */
class GuestProcessesTest {
    @TempDir Path proc;
    @TempDir Path qemuRun;

    private void process(int pid, String... argv) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.write(dir.resolve("cmdline"), (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** What libvirtd's QEMU driver writes for a running guest. */
    private void record(String guest, String pidFileText) throws IOException {
        Files.writeString(qemuRun.resolve(guest + ".pid"), pidFileText);
        Files.writeString(qemuRun.resolve(guest + ".xml"), "<domstatus/>");
    }

    @Test
    void findsTheGuestsLibvirtRecordsThatRunAsQemu() throws IOException {
        process(1, "/usr/bin/java", "-cp", "x");
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web,debug-threads=on", "-S");
        process(7, "/usr/sbin/libvirtd", "-f", "/run/virtsup/libvirtd.conf");
        process(99, "qemu-kvm", "-name", "db");
        Files.createDirectories(proc.resolve("self"));
        record("web", "42\n");
        record("db", "99");
        GuestProcesses guests = new GuestProcesses(proc, qemuRun);
        assertEquals(List.of(new GuestProcesses.Guest(42, "web"), new GuestProcesses.Guest(99, "db")), guests.running());
    }

    @Test
    void countsNoQemuThatIsNotThisLibvirtdsGuest() throws IOException {
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web");
        process(50, "/usr/bin/qemu-system-x86_64", "-name", "guest=by-hand");   // started by hand: no record
        process(60, "/usr/bin/qemu-system-aarch64", "-name", "guest=session");  // another libvirt's guest
        record("web", "42");
        GuestProcesses guests = new GuestProcesses(proc, qemuRun);
        assertEquals(List.of(new GuestProcesses.Guest(42, "web")), guests.running());
    }

    @Test
    void ignoresStaleRecordsReusedPidsAndGarbage() throws IOException {
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=other");    // pid 42 is now another guest
        process(43, "/bin/sh");                                                 // pid 43 is no QEMU any more
        record("web", "42");
        record("db", "43");
        record("gone", "44");                                                   // no such process
        record("junk", "4x2");
        record("huge", "99999999999999999999");
        record("empty", "");
        GuestProcesses guests = new GuestProcesses(proc, qemuRun);
        assertEquals(List.of(), guests.running());
    }

    @Test
    void findsNoGuestWithoutTheRunDirectory() throws IOException {
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web");
        assertEquals(List.of(), new GuestProcesses(proc, qemuRun.resolve("absent")).running());
    }

    @Test
    void aGuestIsNoLongerRunningOnceItsProcessIsGoneOrAnother() throws IOException {
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web");
        record("web", "42");
        GuestProcesses guests = new GuestProcesses(proc, qemuRun);
        GuestProcesses.Guest web = guests.running().get(0);
        assertTrue(guests.stillRunning(web));
        process(42, "/bin/sh");
        assertFalse(guests.stillRunning(web));
    }

    @Test
    void readsLibvirtsDoubledCommasInNames() {
        assertEquals("a,b", GuestProcesses.guestName("guest=a,,b,debug-threads=on"));
        assertEquals("plain", GuestProcesses.guestName("plain"));
    }
}

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

class GuestProcessesTest {
    @TempDir Path proc;

    private void process(int pid, String... argv) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.write(dir.resolve("cmdline"), (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsQemuProcessesAndTheirGuestNames() throws IOException {
        process(1, "/usr/bin/java", "-cp", "x");
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web,debug-threads=on", "-S");
        process(7, "/usr/sbin/libvirtd", "-f", "/run/virtsup/libvirtd.conf");
        process(99, "qemu-kvm", "-name", "db");
        Files.createDirectories(proc.resolve("self"));
        GuestProcesses guests = new GuestProcesses(proc);
        assertEquals(List.of(new GuestProcesses.Guest(42, "web"), new GuestProcesses.Guest(99, "db")), guests.running());
    }

    @Test
    void aGuestIsNoLongerRunningOnceItsProcessIsGoneOrAnother() throws IOException {
        process(42, "/usr/bin/qemu-system-x86_64", "-name", "guest=web");
        GuestProcesses guests = new GuestProcesses(proc);
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

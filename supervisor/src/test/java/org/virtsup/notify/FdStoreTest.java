package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.FakePosix;
import org.virtsup.run.LogCapture;

/** What virtsup tells systemd's file descriptor store, checked on the datagrams the fake kernel delivers. */
class FdStoreTest {
    private static final String NOTIFY = "/run/systemd/notify";
    private final FakePosix posix = new FakePosix().addDirectory("/run/systemd", 0, 0, 0755)
            .addDirectory("/run/libvirt", 0, 0, 0755);

    private FdStore store(Map<String, String> environment, Map<String, Long> passedBack) {
        return FdStore.fromEnvironment(environment, posix, passedBack);
    }

    private FdStore.Entry socket(String path) {
        int fd = posix.listenUnix(path, 16);
        return new FdStore.Entry(fd, posix.socketInode(fd));
    }

    @Test
    void keepsTheStoreInStepWithWhatIsHeld() {
        posix.receiveDatagramsAt(NOTIFY);
        FdStore store = store(Map.of("NOTIFY_SOCKET", NOTIFY, "FDSTORE", "16"), Map.of());
        FdStore.Entry rw = socket("/run/libvirt/libvirt-sock");
        FdStore.Entry ro = socket("/run/libvirt/libvirt-sock-ro");

        store.sync(Map.of("libvirtd.socket", rw, "libvirtd-ro.socket", ro));
        store.sync(Map.of("libvirtd.socket", rw, "libvirtd-ro.socket", ro)); // nothing new: nothing sent
        FdStore.Entry renewed = socket("/run/libvirt/libvirt-sock-ro2");
        store.sync(Map.of("libvirtd.socket", rw, "libvirtd-ro.socket", renewed));
        store.clear();

        assertEquals(List.of(
                new FakePosix.Datagram("FDSTORE=1\nFDNAME=libvirtd-ro.socket", List.of(ro.inode())),
                new FakePosix.Datagram("FDSTORE=1\nFDNAME=libvirtd.socket", List.of(rw.inode())),
                new FakePosix.Datagram("FDSTOREREMOVE=1\nFDNAME=libvirtd-ro.socket", List.of()),
                new FakePosix.Datagram("FDSTORE=1\nFDNAME=libvirtd-ro.socket", List.of(renewed.inode())),
                new FakePosix.Datagram("FDSTOREREMOVE=1\nFDNAME=libvirtd-ro.socket", List.of()),
                new FakePosix.Datagram("FDSTOREREMOVE=1\nFDNAME=libvirtd.socket", List.of())),
                posix.datagramsAt(NOTIFY));
    }

    @Test
    void whatWasPassedBackIsKeptWhenHeldAndRemovedWhenNot() {
        posix.receiveDatagramsAt(NOTIFY);
        FdStore.Entry rw = socket("/run/libvirt/libvirt-sock");
        FdStore store = store(Map.of("NOTIFY_SOCKET", NOTIFY), Map.of("libvirtd.socket", rw.inode(), "old", -1L));
        store.sync(Map.of("libvirtd.socket", rw));
        assertEquals(List.of(new FakePosix.Datagram("FDSTOREREMOVE=1\nFDNAME=old", List.of())),
                posix.datagramsAt(NOTIFY));
        assertEquals(List.of("libvirtd.socket"), store.names());
    }

    @Test
    void offWithoutANotifySocketOrWhenSystemdSaysItsStoreIsOff() {
        int n = 0;
        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("NOTIFY_SOCKET", ""),
                Map.of("NOTIFY_SOCKET", NOTIFY, "FDSTORE", "0"), Map.of("NOTIFY_SOCKET", NOTIFY, "FDSTORE", "x"),
                Map.of("NOTIFY_SOCKET", "vsock:2:1"))) {
            FdStore store = store(environment, Map.of());
            assertFalse(store.enabled(), environment.toString());
            store.sync(Map.of("libvirtd.socket", socket("/run/libvirt/s" + n++)));
            store.clear();
        }
        assertTrue(posix.calls().stream().noneMatch(call -> call.startsWith("sendDescriptors")), posix.calls().toString());
    }

    @Test
    void aStoreThatCannotBeReachedIsWarnedOfOnceAndTriedAgainLater() {
        FdStore store = store(Map.of("NOTIFY_SOCKET", NOTIFY), Map.of());
        FdStore.Entry rw = socket("/run/libvirt/libvirt-sock");
        try (LogCapture log = new LogCapture("virtsup")) {
            store.sync(Map.of("libvirtd.socket", rw));
            store.sync(Map.of("libvirtd.socket", rw));
            assertEquals(1, log.messages().stream().filter(m -> m.contains("file descriptor store")).count(),
                    log.messages().toString());
        }
        posix.receiveDatagramsAt(NOTIFY);
        store.sync(Map.of("libvirtd.socket", rw));
        assertEquals(List.of(new FakePosix.Datagram("FDSTORE=1\nFDNAME=libvirtd.socket", List.of(rw.inode()))),
                posix.datagramsAt(NOTIFY));
    }
}

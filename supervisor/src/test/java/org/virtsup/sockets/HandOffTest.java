package org.virtsup.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Daemon;

class HandOffTest {
    private static HeldSocket socket(String name, int fd, String path) {
        return new HeldSocket(new SocketSpec(Daemon.LIBVIRTD, name, new Endpoint.Unix(path, 0, 0700)), fd, fd * 10L);
    }

    @Test
    void namesCountAndDescriptorsFollowTheOrderOfTheSockets() {
        HandOff handOff = new HandOff(List.of(socket("libvirtd.socket", 41, "/a"), socket("libvirtd-ro.socket", 40, "/b"),
                socket("libvirtd-admin.socket", 57, "/c")));
        assertEquals(Map.of("LISTEN_FDS", "3", "LISTEN_FDNAMES", "libvirtd.socket:libvirtd-ro.socket:libvirtd-admin.socket"),
                handOff.environment());
        assertEquals(List.of(41, 40, 57), handOff.descriptors());
    }

    @Test
    void theDaemonIsExecutedInPlaceOfAShellThatSetsListenPid() {
        assertEquals(List.of("sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", "/usr/sbin/libvirtd", "-f", "/run/x.conf"),
                HandOff.execInPlace(List.of("/usr/sbin/libvirtd", "-f", "/run/x.conf")));
    }
}

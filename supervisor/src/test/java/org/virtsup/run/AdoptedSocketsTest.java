package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.virtsup.posix.FakePosix;
import org.virtsup.sockets.HandOffCheck;
import org.virtsup.sockets.ProcSockets;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

/** Held sockets while daemons are adopted, one step each, before boot. */
class AdoptedSocketsTest {
    private final FakePosix posix = new FakePosix().addGroup("root", 0)
            .addDirectory("/run/libvirt", 0, 0, 0755)
            .addDirectory("/var/run/libvirt", 0, 0, 0755);

    @Test
    void aDaemonNotAdoptedYetKeepsItsSocketsWhileTheOtherIsAdopted() throws IOException {
        HandedSockets sockets = HandedSockets.bind(posix, ExecutorUnderTest.configuration(SupervisionExecutorTest.BOTH),
                path -> Optional.empty(), new HandOffCheck(ProcSockets.ofThisHost()));
        int held = sockets.inodes(Daemon.LIBVIRTD).size();
        Supervision initial = Supervision.initial(Policy.defaults(), Set.of(Daemon.VIRTLOGD, Daemon.LIBVIRTD));
        Supervision virtlogdAdopted = initial.on(new Event.Adopted(Daemon.VIRTLOGD, 811), Instant.EPOCH).supervision();

        sockets.stepped(initial, virtlogdAdopted);

        assertEquals(3, held);
        assertEquals(held, sockets.inodes(Daemon.LIBVIRTD).size(), "libvirtd, STOPPED before boot, is not down");
        sockets.close();
    }
}

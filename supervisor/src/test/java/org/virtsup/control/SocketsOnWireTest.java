package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Phase;

/** Status shows each daemon's handed sockets: through the protocol and as text. */
class SocketsOnWireTest {
    private static final StatusReport REPORT = new StatusReport(
            new StatusReport.Virtsup(812, 60, Optional.empty(), true, "0.1.0"),
            List.of(new StatusReport.Daemon("libvirtd", Wanted.UP, Phase.RUNNING, OptionalInt.of(901),
                    OptionalLong.of(59), true, 0, Optional.empty(), OptionalLong.empty(), List.of(), List.of(),
                    List.of(new StatusReport.Socket("libvirtd.socket", "/run/libvirt/libvirt-sock", 258860, true),
                            new StatusReport.Socket("libvirtd-tcp.socket", "0.0.0.0:16509", 258863, false)))));

    @Test
    void socketsSurviveTheRoundTrip() throws ProtocolException {
        String line = ControlProtocol.encodeReply(REPORT);
        assertTrue(line.contains("\"sockets\":[{\"name\":\"libvirtd.socket\",\"address\":\"/run/libvirt/libvirt-sock\","
                + "\"inode\":258860,\"listening\":true},"), line);
        assertEquals(REPORT, ControlProtocol.decodeReply(line, new Request.Status(Optional.empty())));
    }

    @Test
    void aReplyWithoutSocketsHasNone() throws ProtocolException {
        String line = ControlProtocol.encodeReply(REPORT).replaceAll(",\"sockets\":\\[[^\\]]*\\]", "");
        StatusReport decoded = (StatusReport) ControlProtocol.decodeReply(line, new Request.Status(Optional.empty()));
        assertEquals(List.of(), decoded.daemons().get(0).sockets());
    }

    @Test
    void theTextNamesEachSocketItsInodeAndWhetherTheDaemonListens() {
        String text = StatusText.render(REPORT, Instant.EPOCH);
        assertTrue(text.contains("socket /run/libvirt/libvirt-sock (libvirtd.socket, inode 258860): listening\n"), text);
        assertTrue(text.contains("socket 0.0.0.0:16509 (libvirtd-tcp.socket, inode 258863): not listening\n"), text);
    }
}

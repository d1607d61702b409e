package org.virtsup.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtsup.supervise.Daemon;

class StateRecordTest {

    @Test
    void readsBackWhatItWrites() throws StateRecord.Invalid {
        StateRecord record = Records.both();
        assertEquals(record, StateRecord.parse(record.render()));
        assertEquals(StateRecord.empty(), StateRecord.parse(StateRecord.empty().render()));
    }

    @Test
    void keepsCommandLinesWithSpacesNewlinesAndEmptyArguments() throws StateRecord.Invalid {
        ProcessIdentity odd = new ProcessIdentity(5, 7, "/opt/lib virt/libvirtd",
                List.of("libvirtd", "", "a b", "line\nbreak", "x=y"));
        StateRecord record = new StateRecord(Map.of(Daemon.LIBVIRTD,
                new DaemonRecord(Daemon.LIBVIRTD, odd, Records.DIGEST, Map.of())));
        assertEquals(record, StateRecord.parse(record.render()));
    }

    @Test
    void theRenderingIsTheDocumentedOne() {
        String line = Records.both().render().split("\n")[2];
        assertTrue(line.startsWith("daemon=libvirtd pid=812 start-time=90211 executable=L3Vzci9zYmluL2xpYnZpcnRk "),
                line);
        assertTrue(line.endsWith(" sockets=libvirtd-ro.socket:4712,libvirtd.socket:4711"), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "virtsup-state 1",
        "virtsup-state 2\n",
        "#virtsup-state 1\n",
        "virtsup-state 1\n\n",
        "virtsup-state 1\ndaemon=qemu pid=1 start-time=1 executable=Lw== command-line=eA== configuration=X sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=0 start-time=1 executable=Lw== command-line=eA== configuration=X sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=4194305 start-time=1 executable=Lw== command-line=eA== configuration=X sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=-5 start-time=1 executable=Lw== command-line=eA== configuration=X sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 start-time=99999999999999999999 executable=Lw== command-line=eA== sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 pid=6 start-time=1 executable=Lw== command-line=eA== sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 start-time=1 executable=bm90LWFic29sdXRl command-line=eA== sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 start-time=1 executable=!!! command-line=eA== sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 start-time=1 executable=Lw== command-line=/w== sockets=\n",
        "virtsup-state 1\ndaemon=libvirtd  pid=5\n",
        "virtsup-state 1\ndaemon=libvirtd pid=5 evil=1\n",
    })
    void refusesAnythingElse(String text) {
        assertThrows(StateRecord.Invalid.class, () -> StateRecord.parse(text));
    }

    @Test
    void refusesADigestOrSocketThatIsNotWellFormed() {
        String good = Records.both().render();
        for (String bad : List.of(good.replace(Records.DIGEST, Records.DIGEST.toUpperCase()),
                good.replace(Records.DIGEST, Records.DIGEST.substring(1)),
                good.replace("libvirtd.socket:4711", "libvirtd.socket:"),
                good.replace("libvirtd.socket:4711", "libvirtd.socket"),
                good.replace("libvirtd.socket:4711", "libvirtd-ro.socket:4711"),
                good.replace("libvirtd.socket:4711", "lib virtd.socket:4711"),
                good + good.split("\n")[1] + "\n",
                good.replace("\n", "\r\n"))) {
            assertThrows(StateRecord.Invalid.class, () -> StateRecord.parse(bad), bad);
        }
    }

    @Test
    void refusesAFileTooBigToBeVirtsups() {
        String huge = StateRecord.HEADER + "\n" + "x".repeat(StateRecord.MAX_BYTES) + "\n";
        StateRecord.Invalid invalid = assertThrows(StateRecord.Invalid.class, () -> StateRecord.parse(huge));
        assertTrue(invalid.getMessage().contains("longer than"), invalid.getMessage());
    }

    @Test
    void theStartTimeIsField22CountedAfterTheCommandNamesLastParenthesis() {
        String stat = "812 (libvirtd) x) S 1 812 812 0 -1 4194560 1 0 0 0 2 3 0 0 20 0 18 0 90211 1000 5 "
                + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0";
        assertEquals(90_211, ProcessIdentity.startTime(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcessIdentity.startTime("812 (libvirtd) S 1"));
        assertThrows(IllegalArgumentException.class, () -> ProcessIdentity.startTime("no parenthesis"));
    }

    @Test
    void aCommandLineIsSplitAtNul() {
        assertEquals(List.of("a", "", "b c"), ProcessIdentity.arguments("a\0\0b c\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("unended"), ProcessIdentity.arguments("unended".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsThisVeryProcessFromProc() {
        ProcessIdentity self = ProcessIdentity.read(java.nio.file.Path.of("/proc"), (int) ProcessHandle.current().pid())
                .orElseThrow();
        assertEquals(ProcessHandle.current().info().command().orElseThrow(), self.executable());
        assertTrue(self.commandLine().size() > 1, self.commandLine().toString());
        assertTrue(ProcessIdentity.read(java.nio.file.Path.of("/proc"), 4_194_304).isEmpty(), "no such process");
    }
}

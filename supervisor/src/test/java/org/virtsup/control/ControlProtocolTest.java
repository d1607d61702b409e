package org.virtsup.control;

import org.virtsup.supervise.Phase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Signal;

class ControlProtocolTest {

    private static final List<Request> EVERY_REQUEST = List.of(
            new Request.Status(Optional.empty()),
            new Request.Status(Optional.of("libvirtd")),
            new Request.Start("virtlogd"),
            new Request.Stop("virtlogd"),
            new Request.Restart("libvirtd"),
            new Request.Reload(Optional.empty()),
            new Request.Reload(Optional.of("virtlogd")),
            new Request.Signal("libvirtd", Signal.named("SIGUSR1")),
            new Request.Log("libvirtd", 20));

    @Test
    void requestsLookLikeThisOnTheWire() {
        assertEquals("{\"v\":1,\"command\":\"status\"}", ControlProtocol.encodeRequest(EVERY_REQUEST.get(0)));
        assertEquals("{\"v\":1,\"command\":\"restart\",\"name\":\"libvirtd\"}",
                ControlProtocol.encodeRequest(EVERY_REQUEST.get(4)));
        assertEquals("{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":10}",
                ControlProtocol.encodeRequest(EVERY_REQUEST.get(7)));
        assertEquals("{\"v\":1,\"command\":\"log\",\"name\":\"libvirtd\",\"lines\":20}",
                ControlProtocol.encodeRequest(EVERY_REQUEST.get(8)));
    }

    @Test
    void everyRequestSurvivesTheRoundTrip() throws ProtocolException {
        for (Request request : EVERY_REQUEST) {
            assertEquals(request, ControlProtocol.decodeRequest(ControlProtocol.encodeRequest(request)));
        }
    }

    @Test
    void acceptsSignalNamesAndDefaultsTheLogLength() throws ProtocolException {
        assertEquals(new Request.Signal("libvirtd", new Signal(1)),
                ControlProtocol.decodeRequest("{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":\"HUP\"}"));
        assertEquals(new Request.Log("virtlogd", Request.Log.DEFAULT_LINES),
                ControlProtocol.decodeRequest("{\"command\":\"log\",\"v\":1,\"name\":\"virtlogd\"}"));
    }

    @Test
    void refusesWhatIsNotARequest() {
        assertCode(ErrorCode.BAD_REQUEST, "");
        assertCode(ErrorCode.BAD_REQUEST, "\"status\"");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":7}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"stop\",\"name\":\"\"}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"stop\",\"name\":[\"libvirtd\"]}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"log\",\"name\":\"libvirtd\",\"lines\":0}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"log\",\"name\":\"libvirtd\",\"lines\":1e9}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":99}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":4294967297}");
        assertCode(ErrorCode.BAD_REQUEST, "{\"v\":1,\"command\":\"signal\",\"name\":\"libvirtd\",\"signal\":9.5}");
        assertCode(ErrorCode.UNSUPPORTED_VERSION, "{\"command\":\"status\"}");
        assertCode(ErrorCode.UNSUPPORTED_VERSION, "{\"v\":\"1\",\"command\":\"status\"}");
        assertCode(ErrorCode.UNSUPPORTED_VERSION, "{\"v\":1.5,\"command\":\"status\"}");
        assertCode(ErrorCode.UNKNOWN_COMMAND, "{\"v\":1,\"command\":\"shutdown\"}");
    }

    private static void assertCode(ErrorCode expected, String line) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ControlProtocol.decodeRequest(line), line);
        assertEquals(expected, e.code(), line + " → " + e.getMessage());
    }

    @Test
    void statusReportSurvivesTheRoundTrip() throws ProtocolException {
        StatusReport report = new StatusReport(
                new StatusReport.Virtsup(812, 7380, Optional.of("/etc/virtsup/config.scm"), false, "0.1.0"),
                List.of(new StatusReport.Daemon("virtlogd", Wanted.UP, Phase.RUNNING, OptionalInt.of(901),
                                OptionalLong.of(7379), true, 0, Optional.empty(), OptionalLong.empty(), List.of(),
                                List.of()),
                        new StatusReport.Daemon("libvirtd", Wanted.UP, Phase.BACKOFF, OptionalInt.empty(),
                                OptionalLong.empty(), false, 3,
                                Optional.of(new StatusReport.LastExit("killed by signal 9 (SIGKILL)",
                                        OptionalInt.empty(), OptionalInt.of(9), Instant.parse("2026-11-26T10:14:02Z"))),
                                OptionalLong.of(8), List.of("out of memory"), List.of("libvirtd keeps failing"), List.of(),
                                Optional.of(Instant.parse("2026-11-26T10:14:10Z")))));
        String line = ControlProtocol.encodeReply(report);
        assertTrue(line.startsWith("{\"v\":1,\"result\":{\"supervisor\":{\"pid\":812,"), line);
        assertTrue(line.contains("\"lastExit\":{\"description\":\"killed by signal 9 (SIGKILL)\",\"signal\":9,"
                + "\"at\":\"2026-11-26T10:14:02Z\"}"), line);
        assertTrue(line.contains("\"nextRetryInSeconds\":8,\"nextRetryAt\":\"2026-11-26T10:14:10Z\""), line);
        assertEquals(report, ControlProtocol.decodeReply(line, new Request.Status(Optional.empty())));
    }

    @Test
    void outcomesLogsAndFailuresSurviveTheRoundTrip() throws ProtocolException {
        Reply outcome = new Reply.ActionOutcome(Optional.of("virtlogd"), Optional.of(Phase.STOPPED),
                OptionalInt.empty(), "virtlogd stopped", List.of("libvirtd still runs"));
        assertEquals("{\"v\":1,\"result\":{\"name\":\"virtlogd\",\"state\":\"STOPPED\",\"message\":\"virtlogd stopped\","
                + "\"warnings\":[\"libvirtd still runs\"]}}", ControlProtocol.encodeReply(outcome));
        assertEquals(outcome, ControlProtocol.decodeReply(ControlProtocol.encodeReply(outcome),
                new Request.Stop("virtlogd")));
        Reply log = new Reply.LogOutput("libvirtd", List.of("a \"quoted\"\tline", "second\nwith newline"));
        String logLine = ControlProtocol.encodeReply(log);
        assertTrue(!logLine.contains("\n"), "one reply is one line: " + logLine);
        assertEquals(log, ControlProtocol.decodeReply(logLine, new Request.Log("libvirtd", 2)));
        Reply failure = new Reply.Failure(ErrorCode.PERMISSION_DENIED, "stop needs uid 0");
        assertEquals("{\"v\":1,\"error\":{\"code\":\"permission-denied\",\"message\":\"stop needs uid 0\"}}",
                ControlProtocol.encodeReply(failure));
        assertEquals(failure, ControlProtocol.decodeReply(ControlProtocol.encodeReply(failure),
                new Request.Stop("libvirtd")));
    }

    @Test
    void anUnknownErrorCodeFromANewerServerReadsAsInternal() throws ProtocolException {
        Reply reply = ControlProtocol.decodeReply("{\"v\":1,\"error\":{\"code\":\"quota\",\"message\":\"later\"}}",
                new Request.Start("libvirtd"));
        assertEquals(new Reply.Failure(ErrorCode.INTERNAL, "later"), reply);
    }

    @Test
    void signalNames() {
        assertEquals(1, Signal.named("hup").number());
        assertEquals(1, Signal.named("SIGHUP").number());
        assertEquals(10, Signal.named("USR1").number());
        assertEquals(15, Signal.named("15").number());
        assertEquals("SIGTERM", Signal.named("term").toString());
        assertEquals("SIGRTMIN+8", Signal.named("40").toString());
        assertThrows(IllegalArgumentException.class, () -> Signal.named("0"));
        assertThrows(IllegalArgumentException.class, () -> Signal.named("65"));
        assertThrows(IllegalArgumentException.class, () -> Signal.named("SIGFOO"));
        assertThrows(IllegalArgumentException.class, () -> Signal.named("99999999999"));
    }
}

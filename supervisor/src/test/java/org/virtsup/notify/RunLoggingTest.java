package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLoggingTest {
    @TempDir
    Path dir;

    private final LoggerContext context = new LoggerContext();

    private String encode(boolean journal, Level level, String message, Throwable thrown) {
        Encoder<ILoggingEvent> encoder = RunLogging.encoder(context, journal);
        LoggingEvent event = new LoggingEvent("test", context.getLogger("org.virtsup.control.ControlServer"), level,
                message, thrown, null);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void journalLinesCarryThePriorityAndNoTimestamp() {
        assertEquals("<3>control.ControlServer: boom\n", encode(true, Level.ERROR, "boom", null));
        assertEquals("<4>control.ControlServer: careful\n", encode(true, Level.WARN, "careful", null));
        assertEquals("<6>control.ControlServer: hello\n", encode(true, Level.INFO, "hello", null));
        assertEquals("<7>control.ControlServer: detail\n", encode(true, Level.DEBUG, "detail", null));
    }

    @Test
    void everyLineOfAStackTraceKeepsThePriority() {
        String text = encode(true, Level.ERROR, "failed", new IllegalStateException("why"));
        String[] lines = text.split("\n");
        assertTrue(lines.length > 2, text);
        for (String line : lines) {
            assertTrue(line.startsWith("<3>"), line);
        }
        assertTrue(text.contains("<3>java.lang.IllegalStateException: why\n"), text);
    }

    @Test
    void elsewhereLinesAreTimestamped() {
        String line = encode(false, Level.WARN, "careful", null);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  [\\w.]+: careful\\n"), line);
    }

    @Test
    void recognisesTheJournalOnlyWhenStderrIsThatStream() throws IOException {
        Path stream = dir.resolve("stream");
        Files.writeString(stream, "");
        long dev = ((Number) Files.getAttribute(stream, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(stream, "unix:ino")).longValue();
        assertTrue(RunLogging.journalIsStderr(Map.of("JOURNAL_STREAM", dev + ":" + ino), stream));
        assertFalse(RunLogging.journalIsStderr(Map.of("JOURNAL_STREAM", dev + ":" + (ino + 1)), stream));
        assertFalse(RunLogging.journalIsStderr(Map.of(), stream));
        assertFalse(RunLogging.journalIsStderr(Map.of("JOURNAL_STREAM", "garbage"), stream));
    }
}

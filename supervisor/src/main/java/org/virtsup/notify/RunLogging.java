package org.virtsup.notify;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Logging for {@code virtsup run}, configured in code (no logback.xml to find
 * or misread): to stderr, in journald's form when stderr is the journal
 * ({@link JournalLayout}), otherwise timestamped lines ({@link LineLayout}); with log-format "json",
 * one JSON object per line (Logback's own encoder). The CLI's other
 * commands never call this and never touch Logback.
 *
 * <p>{@code VIRTSUP_LOG_LEVEL} (error, warn, info, debug, trace) sets the level; info by default.
 */
public final class RunLogging {
    private RunLogging() {}

    /** Replaces whatever Logback configured by itself; {@code format} is log-format's value. */
    public static void install(Map<String, String> environment, String format) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder = format.equals("json") ? json(context)
                : encoder(context, journalIsStderr(environment, Path.of("/proc/self/fd/2")));
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(environment.getOrDefault("VIRTSUP_LOG_LEVEL", "info").toUpperCase(Locale.ROOT),
                Level.INFO));
        root.addAppender(console);
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context, boolean journal) {
        return encoder(context, journal ? new JournalLayout() : LineLayout.forRun());
    }

    /** An encoder of {@code layout}'s lines, both started in {@code context}. */
    static Encoder<ILoggingEvent> encoder(LoggerContext context, LayoutBase<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    /**
     * One JSON object per line: time (milliseconds since the epoch), level,
     * thread, logger, the message as formatted, the MDC (for a daemon's output:
     * {@code daemon} and {@code pid}) and any exception. Everything else the
     * encoder can add (sequence numbers, the context, the raw arguments) is noise
     * to a log shipper.
     */
    public static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMarkers(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    /**
     * Whether stderr is journald's stream: systemd sets {@code JOURNAL_STREAM=dev:inode}
     * of it, and a process whose stderr was redirected since (to a file, a pipe)
     * must not write priority prefixes there, hence the comparison.
     *
     * @param stderr {@code /proc/self/fd/2}, whose stat is stderr's
     */
    static boolean journalIsStderr(Map<String, String> environment, Path stderr) {
        String value = environment.get("JOURNAL_STREAM");
        if (value == null || value.isEmpty()) {
            return false;
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            return false;
        }
        try {
            long device = Long.parseLong(value.substring(0, colon));
            long inode = Long.parseLong(value.substring(colon + 1));
            return ((Number) Files.getAttribute(stderr, "unix:dev")).longValue() == device
                    && ((Number) Files.getAttribute(stderr, "unix:ino")).longValue() == inode;
        } catch (NumberFormatException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            // No procfs to compare with: trust systemd's word.
            return true;
        }
    }
}

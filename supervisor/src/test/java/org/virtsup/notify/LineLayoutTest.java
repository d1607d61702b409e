package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.util.List;
import java.util.Random;
import java.util.TimeZone;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link LineLayout} against the Logback patterns it replaced: the same text
 * for any level, logger name, message, instant, zone and stack trace
 * (causes, suppressed exceptions, frames in common with the cause).
 */
class LineLayoutTest {
    static final String COMMANDS_PATTERN = "virtsup: %-5level %logger{0}: %msg%n";
    static final String RUN_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{30}: %msg%n";

    private static final List<Level> LEVELS = List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR);
    private static final List<String> NAME_PARTS = List.of("org", "virtsup", "run", "control", "ControlServer",
            "VirtsupRun", "a", "", "x".repeat(40), "Supervisor$Inner", "\u00e9t\u00e9", "virtsup");
    private static final List<String> MESSAGE_PARTS = List.of("libvirtd", " ", "{}", "\\{}", "\n", "\t", "%d",
            "%n", "\u00e9", "\ud83d\ude00", "ready in 12 ms", ":", "null", "\r\n");
    private static final String[] ZONES = {"UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu",
        "Pacific/Chatham", "Australia/Lord_Howe", "America/Sao_Paulo"};

    @Property(tries = 3000)
    void writesWhatThePatternsWrote(@ForAll long seed) {
        Random random = new Random(seed);
        TimeZone before = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone(ZONES[random.nextInt(ZONES.length)]));
        try {
            LoggerContext context = new LoggerContext();
            context.setPackagingDataEnabled(random.nextInt(8) == 0);
            ILoggingEvent event = event(context, random);
            assertEquals(started(context, pattern(COMMANDS_PATTERN)).doLayout(event),
                    started(context, LineLayout.forCommands()).doLayout(event));
            assertEquals(started(context, pattern(RUN_PATTERN)).doLayout(event),
                    started(context, LineLayout.forRun()).doLayout(event));
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Example
    void aRunLineReadsAsBefore() {
        TimeZone before = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        try {
            LoggerContext context = new LoggerContext();
            LoggingEvent event = new LoggingEvent("test", context.getLogger("org.virtsup.control.ControlServer"),
                    Level.INFO, "listening on {}", null, new Object[] {"/run/virtsup/control.sock"});
            event.setTimeStamp(1_796_287_530_250L);
            assertEquals("2026-12-03 08:45:30.250 INFO  o.v.control.ControlServer: listening on "
                    + "/run/virtsup/control.sock\n", started(context, LineLayout.forRun()).doLayout(event));
            assertEquals("virtsup: INFO  ControlServer: listening on /run/virtsup/control.sock\n",
                    started(context, LineLayout.forCommands()).doLayout(event));
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Example
    void aStackTraceFollowsTheLine() {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("virtsup"), Level.ERROR, "failed",
                new IllegalStateException("why", new java.io.IOException("cause")), null);
        String text = started(context, LineLayout.forCommands()).doLayout(event);
        assertTrue(text.startsWith("virtsup: ERROR virtsup: failed\njava.lang.IllegalStateException: why\n\tat "),
                text);
        assertTrue(text.contains("\nCaused by: java.io.IOException: cause\n"), text);
    }

    private static PatternLayout pattern(String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.setPattern(pattern);
        return layout;
    }

    private static <T extends LayoutBase<ILoggingEvent>> T started(LoggerContext context, T layout) {
        layout.setContext(context);
        layout.start();
        return layout;
    }

    private static ILoggingEvent event(LoggerContext context, Random random) {
        StringBuilder name = new StringBuilder();
        for (int part = random.nextInt(6); part >= 0; part--) {
            name.append(NAME_PARTS.get(random.nextInt(NAME_PARTS.size())));
            if (part > 0) {
                name.append('.');
            }
        }
        String loggerName = name.length() == 0 || name.toString().equals("ROOT") ? "virtsup" : name.toString();
        StringBuilder message = new StringBuilder();
        for (int part = random.nextInt(8); part > 0; part--) {
            message.append(MESSAGE_PARTS.get(random.nextInt(MESSAGE_PARTS.size())));
        }
        Object[] arguments = random.nextBoolean() ? null : new Object[] {random.nextInt(), "x", null};
        LoggingEvent event = new LoggingEvent("test", context.getLogger(loggerName),
                LEVELS.get(random.nextInt(LEVELS.size())), random.nextInt(20) == 0 ? null : message.toString(),
                random.nextInt(4) == 0 ? thrown(random, 0) : null, arguments);
        // From 1970 to about year 10,400 (past yyyy's four digits), to the millisecond.
        event.setTimeStamp(random.nextLong(Long.MAX_VALUE) % 266_000_000_000_000L);
        return event;
    }

    private static Throwable thrown(Random random, int depth) {
        Throwable cause = depth < 2 && random.nextBoolean() ? thrown(random, depth + 1) : null;
        Throwable thrown = switch (random.nextInt(3)) {
            case 0 -> new IllegalStateException(random.nextBoolean() ? null : "state\nof things", cause);
            case 1 -> new java.io.UncheckedIOException("io", new java.io.IOException("disk", cause));
            default -> new RuntimeException("deep", cause);
        };
        if (depth == 0 && random.nextInt(3) == 0) {
            thrown.addSuppressed(new IllegalArgumentException("also"));
        }
        return thrown;
    }
}

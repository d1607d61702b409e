package org.virtsup.notify;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.Abbreviator;
import ch.qos.logback.classic.pattern.ClassNameOnlyAbbreviator;
import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * A plain log line, written by hand rather than by Logback's {@code
 * PatternLayout}: the same characters as its patterns
 * <ul>
 * <li>{@code virtsup: %-5level %logger{0}: %msg%n} ({@link #forCommands()}), and
 * <li>{@code %d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{30}: %msg%n} ({@link #forRun()}),
 * </ul>
 * each followed by the stack trace that PatternLayout appends to a pattern
 * without one. Compiling a pattern cost every start about 100 ms of CPU
 * (measured: PatternLayout registers some 60 converters through lambdas, and
 * {@code %d} builds a {@code DateTimeFormatter}), once for the configuration
 * Logback finds and once more for {@code run}'s. {@code LineLayoutTest}
 * compares the two on random events.
 */
public final class LineLayout extends LayoutBase<ILoggingEvent> {
    private final boolean timestamped;
    private final Abbreviator abbreviator;
    /**
     * Made at {@link #start}, before the appender that holds this layout serves
     * any thread: Logback lays events out outside its lock, from every thread
     * that logs.
     */
    private ThrowableProxyConverter stackTrace;
    private ZoneId zone;

    private LineLayout(boolean timestamped, Abbreviator abbreviator) {
        this.timestamped = timestamped;
        this.abbreviator = abbreviator;
    }

    /** {@code virtsup: LEVEL Logger: message}: what every command but run writes to stderr. */
    public static LineLayout forCommands() {
        return new LineLayout(false, new ClassNameOnlyAbbreviator());
    }

    /** {@code 2026-12-03 10:15:30.250 LEVEL o.v.r.Logger: message}, local time: run's line outside the journal. */
    public static LineLayout forRun() {
        return new LineLayout(true, new TargetLengthBasedClassNameAbbreviator(30));
    }

    @Override
    public void start() {
        ThrowableProxyConverter converter = getContext() instanceof LoggerContext logback
                && logback.isPackagingDataEnabled() ? new ExtendedThrowableProxyConverter() : new ThrowableProxyConverter();
        converter.setContext(getContext());
        converter.start();
        stackTrace = converter;
        zone = ZoneId.systemDefault();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(128);
        if (timestamped) {
            appendTime(out, event.getTimeStamp());
            out.append(' ');
        } else {
            out.append("virtsup: ");
        }
        String level = event.getLevel().toString();
        out.append(level);
        for (int pad = level.length(); pad < 5; pad++) {
            out.append(' ');
        }
        out.append(' ').append(abbreviator.abbreviate(event.getLoggerName())).append(": ")
                .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            out.append(stackTrace.convert(event));
        }
        return out.toString();
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSS} in the JVM's zone, as {@code %d} writes it. */
    private void appendTime(StringBuilder out, long millis) {
        LocalDateTime time = LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), zone);
        if (time.getYear() > 9999) {
            out.append('+'); // as yyyy writes a year of five digits
        }
        appendDigits(out, time.getYear(), 4).append('-');
        appendDigits(out, time.getMonthValue(), 2).append('-');
        appendDigits(out, time.getDayOfMonth(), 2).append(' ');
        appendDigits(out, time.getHour(), 2).append(':');
        appendDigits(out, time.getMinute(), 2).append(':');
        appendDigits(out, time.getSecond(), 2).append('.');
        appendDigits(out, time.getNano() / 1_000_000, 3);
    }

    private static StringBuilder appendDigits(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int pad = digits.length(); pad < width; pad++) {
            out.append('0');
        }
        return out.append(digits);
    }
}

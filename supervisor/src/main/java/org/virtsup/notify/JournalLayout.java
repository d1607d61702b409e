package org.virtsup.notify;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;

/**
 * Log lines for journald's stdout/stderr stream: no timestamp of our own (the
 * journal records one), and every line, stack trace lines included, starts with
 * the syslog priority ({@code <3>} error, {@code <4>} warning, {@code <6>} info,
 * {@code <7>} debug) so that {@code journalctl -p} filters work.
 */
public final class JournalLayout extends LayoutBase<ILoggingEvent> {

    static String priority(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return "<3>";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return "<4>";
        }
        if (level.isGreaterOrEqual(Level.INFO)) {
            return "<6>";
        }
        return "<7>";
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String prefix = priority(event.getLevel());
        StringBuilder out = new StringBuilder(128);
        String text = abbreviate(event.getLoggerName()) + ": " + event.getFormattedMessage();
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            text = text + "\n" + ThrowableProxyUtil.asString(thrown);
        }
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(prefix).append(line.replace("\t", "    ")).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code org.virtsup.control.ControlServer} → {@code control.ControlServer}. */
    static String abbreviate(String logger) {
        return logger.startsWith("org.virtsup.") ? logger.substring("org.virtsup.".length()) : logger;
    }
}

package org.virtsup.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.virtsup.supervise.Daemon;

/**
 * Carries one daemon's stdout or stderr, read from a pipe, into the log: one
 * log event per line, each line intact, with the level libvirt gave it when the
 * line is in libvirt's own format ({@code ...: 1234: error : message}). The
 * last lines are kept in an {@link OutputTail} for diagnostics.
 *
 * <p>Runs on a thread of its own, blocked in read(2): it costs nothing while the
 * daemon is quiet, and ends when the daemon closes its end of the pipe.
 */
public final class OutputPump implements Runnable {
    /** Reads up to {@code buffer.length} bytes; 0 at end of file. */
    @FunctionalInterface
    public interface Source {
        int read(byte[] buffer);
    }

    /** A longer line is cut here and continued on the next log event. */
    static final int MAX_LINE = 16 * 1024;

    private final Source source;
    private final Logger logger;
    private final OutputTail tail;
    private final Runnable onEnd;

    public OutputPump(Source source, Logger logger, OutputTail tail, Runnable onEnd) {
        this.source = source;
        this.logger = logger;
        this.tail = tail;
        this.onEnd = onEnd;
    }

    /**
     * The pump of {@code pid}'s output, its lines carrying {@code daemon} and
     * {@code pid} in the MDC (fields of their own in the JSON log). Run on the
     * pump's own thread, which the MDC belongs to.
     */
    public static Runnable of(Daemon daemon, int pid, OutputPump pump) {
        return () -> {
            MDC.put("daemon", daemon.programName());
            MDC.put("pid", Integer.toString(pid));
            pump.run();
        };
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try {
            int n;
            while ((n = source.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(line);
                    } else {
                        line.write(b);
                        if (line.size() >= MAX_LINE) {
                            emit(line);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            logger.warn("reading the daemon's output failed: {}", e.getMessage());
        } finally {
            if (line.size() > 0) {
                emit(line);
            }
            onEnd.run();
        }
    }

    private void emit(ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        tail.add(text);
        switch (LibvirtLogLevel.of(text)) {
            case ERROR -> logger.error(text);
            case WARN -> logger.warn(text);
            case DEBUG -> logger.debug(text);
            default -> logger.info(text);
        }
    }

    /** The level a libvirt log line carries: {@code TIMESTAMP: TID: LEVEL : message}. */
    enum LibvirtLogLevel {
        ERROR, WARN, INFO, DEBUG;

        static LibvirtLogLevel of(String line) {
            int limit = Math.min(line.length(), 96);
            String head = line.substring(0, limit);
            if (head.contains(": error : ")) {
                return ERROR;
            }
            if (head.contains(": warning : ")) {
                return WARN;
            }
            if (head.contains(": debug : ")) {
                return DEBUG;
            }
            return INFO;
        }
    }
}

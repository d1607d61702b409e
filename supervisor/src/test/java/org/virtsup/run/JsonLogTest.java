package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.virtsup.notify.RunLogging;
import org.virtsup.supervise.Daemon;

/**
 * log-format "json": virtsup's own lines and a daemon's output, through the
 * real pump and Logback's JSON encoder, read back line by line as JSON.
 */
class JsonLogTest {
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    JsonLogTest() {
        // The pump writes to SLF4J's MDC, which is Logback's own adapter: this context reads the same one.
        context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
        context.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(RunLogging.json(context));
        appender.setOutputStream(written);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    /** Every line of the log as a JSON object; fails on the first line that is not one. */
    private List<Map<String, Object>> lines() throws IOException {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String line : written.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                objects.add(JSON.std.mapFrom(line));
            }
        }
        return objects;
    }

    private void pump(Daemon daemon, int pid, String output) throws InterruptedException {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        int[] offset = {0};
        OutputPump pump = new OutputPump(buffer -> {
            int n = Math.min(buffer.length, bytes.length - offset[0]);
            System.arraycopy(bytes, offset[0], buffer, 0, n);
            offset[0] += n;
            return n;
        }, context.getLogger("daemon." + daemon.programName()), new OutputTail(10), () -> {});
        Thread thread = new Thread(OutputPump.of(daemon, pid, pump));
        thread.start();
        thread.join();
    }

    @Test
    void everyLineIsOneJsonObjectWithTheDaemonAndItsPid() throws Exception {
        context.getLogger("virtsup").info("virtsup {} supervises {}", "1.0", "[virtlogd, libvirtd]");
        pump(Daemon.LIBVIRTD, 4242, "2026-01-01 00:00:00.000+0000: 4242: error : virNetSocketNew:220 : \"quoted\" \\ \t"
                + "tab\n2026-01-01 00:00:00.000+0000: 4242: info : libvirt version: 9.0.0\nno newline at the end \u00e9\u0001");
        pump(Daemon.VIRTLOGD, 17, "{\"looks\": \"like json\"}\n");
        context.getLogger("virtsup").error("libvirtd failed", new IllegalStateException("line one\nline two"));

        List<Map<String, Object>> lines = lines();
        assertEquals(6, lines.size(), written.toString(StandardCharsets.UTF_8));
        for (Map<String, Object> line : lines) {
            assertTrue(line.containsKey("timestamp") && line.containsKey("level") && line.containsKey("loggerName")
                    && line.containsKey("formattedMessage"), line.toString());
        }
        assertEquals("virtsup 1.0 supervises [virtlogd, libvirtd]", lines.get(0).get("formattedMessage"));
        assertEquals("INFO", lines.get(0).get("level"));

        Map<String, Object> error = lines.get(1);
        assertEquals("ERROR", error.get("level"));
        assertEquals("daemon.libvirtd", error.get("loggerName"));
        assertEquals(Map.of("daemon", "libvirtd", "pid", "4242"), error.get("mdc"));
        assertEquals("2026-01-01 00:00:00.000+0000: 4242: error : virNetSocketNew:220 : \"quoted\" \\ \ttab",
                error.get("formattedMessage"));
        assertEquals("INFO", lines.get(2).get("level"));
        assertEquals("no newline at the end \u00e9\u0001", lines.get(3).get("formattedMessage"));
        assertEquals(Map.of("daemon", "virtlogd", "pid", "17"), lines.get(4).get("mdc"));
        assertEquals("{\"looks\": \"like json\"}", lines.get(4).get("formattedMessage"));

        Map<String, Object> failure = lines.get(5);
        assertEquals("ERROR", failure.get("level"));
        @SuppressWarnings("unchecked")
        Map<String, Object> thrown = (Map<String, Object>) failure.get("throwable");
        assertEquals("line one\nline two", thrown.get("message"));
    }
}

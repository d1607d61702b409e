package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutputPumpTest {
    /** Hands out the given chunks one read at a time, then end of file. */
    private static OutputPump.Source chunks(String... parts) {
        ArrayDeque<byte[]> queue = new ArrayDeque<>();
        for (String part : parts) {
            queue.add(part.getBytes(StandardCharsets.UTF_8));
        }
        return buffer -> {
            byte[] next = queue.poll();
            if (next == null) {
                return 0;
            }
            int n = Math.min(next.length, buffer.length);
            System.arraycopy(next, 0, buffer, 0, n);
            if (n < next.length) {
                queue.addFirst(java.util.Arrays.copyOfRange(next, n, next.length));
            }
            return n;
        };
    }

    private static List<String> pump(OutputTail tail, String... parts) {
        AtomicBoolean ended = new AtomicBoolean();
        new OutputPump(chunks(parts), LoggerFactory.getLogger("daemon.test"), tail, () -> ended.set(true)).run();
        assertTrue(ended.get(), "the end callback runs at end of file");
        return tail.last(100);
    }

    @Test
    void reassemblesLinesSplitAcrossReads() {
        List<String> lines = pump(new OutputTail(10), "first li", "ne\nsecond\nthi", "rd\n");
        assertEquals(List.of("first line", "second", "third"), lines);
    }

    @Test
    void keepsAPartialLastLineAtEndOfFile() {
        assertEquals(List.of("done", "no newline"), pump(new OutputTail(10), "done\nno newline"));
    }

    @Test
    void keepsUtf8CharactersSplitBetweenReads() {
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        String half1 = new String(new byte[] {'c', 'a', 'f'}, StandardCharsets.ISO_8859_1);
        OutputTail tail = new OutputTail(5);
        Queue<byte[]> reads = new ArrayDeque<>(List.of(
                half1.getBytes(StandardCharsets.ISO_8859_1), new byte[] {e[0]}, new byte[] {e[1], '\n'}));
        new OutputPump(buffer -> {
            byte[] next = reads.poll();
            if (next == null) {
                return 0;
            }
            System.arraycopy(next, 0, buffer, 0, next.length);
            return next.length;
        }, LoggerFactory.getLogger("daemon.test"), tail, () -> { }).run();
        assertEquals(List.of("café"), tail.last(1));
    }

    @Test
    void cutsOverlongLines() {
        String longLine = "x".repeat(OutputPump.MAX_LINE + 10);
        List<String> lines = pump(new OutputTail(10), longLine + "\n");
        assertEquals(2, lines.size());
        assertEquals(OutputPump.MAX_LINE, lines.get(0).length());
        assertEquals(10, lines.get(1).length());
    }

    @Test
    void tailKeepsOnlyTheNewestLines() {
        OutputTail tail = new OutputTail(3);
        pump(tail, "1\n2\n3\n4\n5\n");
        assertEquals(List.of("3", "4", "5"), tail.last(10));
        assertEquals(List.of("5"), tail.last(1));
    }

    @Test
    void readsLibvirtLevels() {
        assertEquals(OutputPump.LibvirtLogLevel.ERROR, OutputPump.LibvirtLogLevel.of(
                "2026-11-26 10:00:00.123+0000: 4711: error : virNetSocketNewListenTCP:123 : Unable to bind"));
        assertEquals(OutputPump.LibvirtLogLevel.WARN, OutputPump.LibvirtLogLevel.of(
                "2026-11-26 10:00:00.123+0000: 4711: warning : qemuProcess:1 : something"));
        assertEquals(OutputPump.LibvirtLogLevel.INFO, OutputPump.LibvirtLogLevel.of("plain text from a daemon"));
    }
}

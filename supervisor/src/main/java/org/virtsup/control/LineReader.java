package org.virtsup.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Splits what a channel delivers into lines of bounded length. The bound is
 * checked before a line is complete, so a peer that never sends a newline
 * costs at most {@code maxBytes} of memory.
 */
final class LineReader {
    /** A line went over the bound; {@link #skipLine} drops the rest of it. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(int maxBytes) {
            super("request longer than " + maxBytes + " bytes without a newline");
        }
    }

    private final ReadableByteChannel channel;
    private final int maxBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineReader(ReadableByteChannel channel, int maxBytes) {
        this.channel = channel;
        this.maxBytes = maxBytes;
        buffer.flip();
    }

    /**
     * Drops input up to and including the next newline, at most {@code limit}
     * bytes, or until end of stream. Returns whether a newline was reached.
     */
    boolean skipLine(int limit) throws IOException {
        line.reset();
        int skipped = 0;
        while (skipped < limit) {
            while (buffer.hasRemaining()) {
                skipped++;
                if (buffer.get() == '\n') {
                    return true;
                }
            }
            buffer.clear();
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                return false;
            }
        }
        return false;
    }

    /** The next line without its newline, or null at end of stream. */
    String readLine() throws IOException {
        while (true) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    return text;
                }
                if (line.size() >= maxBytes) {
                    throw new LineTooLongException(maxBytes);
                }
                line.write(b);
            }
            buffer.clear();
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                // A last line without newline is still a request.
                if (line.size() > 0) {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    return text;
                }
                return null;
            }
        }
    }
}

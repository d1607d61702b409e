package org.virtsup.run;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines a daemon wrote, kept for diagnostics (status, logs of a failed start). */
public final class OutputTail {
    /** How many of a daemon's last lines tell why it failed: with its exit in the log, in status, in a reply. */
    public static final int LAST_WORDS = 10;

    private final int capacity;
    private final ArrayDeque<String> lines;

    public OutputTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    public synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /** The newest {@code count} lines, oldest first. */
    public synchronized List<String> last(int count) {
        int skip = Math.max(0, lines.size() - Math.max(0, count));
        return lines.stream().skip(skip).toList();
    }

    /** The lines that tell why a daemon failed: the newest {@value #LAST_WORDS}. */
    public List<String> lastWords() {
        return last(LAST_WORDS);
    }
}

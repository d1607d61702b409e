package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.util.Objects;

/** One problem found in a configuration, where it is and what to do about it. */
public record Diagnostic(Severity severity, Position position, String message) implements Comparable<Diagnostic> {

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(message, "message");
        message = bounded(message);
    }

    /** The longest message kept whole; longer ones lose their middle, where a long value quoted from the file sits. */
    static final int MAX_MESSAGE_CHARS = 1000;

    private static String bounded(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int head = MAX_MESSAGE_CHARS * 2 / 3;
        int tail = message.length() - MAX_MESSAGE_CHARS / 4;
        // never split a surrogate pair
        if (Character.isHighSurrogate(message.charAt(head - 1))) {
            head--;
        }
        if (Character.isLowSurrogate(message.charAt(tail))) {
            tail++;
        }
        return message.substring(0, head) + " [... " + (tail - head) + " characters left out ...] " + message.substring(tail);
    }

    public static Diagnostic error(Position position, String message) {
        return new Diagnostic(Severity.ERROR, position, message);
    }

    public static Diagnostic warning(Position position, String message) {
        return new Diagnostic(Severity.WARNING, position, message);
    }

    /** {@code FILE:LINE:COL: error: MESSAGE} (or {@code warning:}), the form compilers and editors understand. */
    public String format() {
        return position + ": " + severity.word() + ": " + message;
    }

    @Override
    public int compareTo(Diagnostic other) {
        int byPosition = position.compareTo(other.position);
        return byPosition != 0 ? byPosition : severity.compareTo(other.severity);
    }
}

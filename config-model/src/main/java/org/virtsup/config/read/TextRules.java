package org.virtsup.config.read;

import java.util.Locale;

/**
 * Which characters a configuration file may hold. Guile would read most of
 * these, but in a file meant to be read by people they only ever mean a
 * damaged or wrong file, and written back in a message they could drive the
 * terminal: each is refused where it stands.
 */
final class TextRules {
    private TextRules() {}

    /** Why the character at {@code index} of {@code text} is refused, or null if it is allowed. */
    static String problem(String text, int index) {
        char c = text.charAt(index);
        // A form feed is whitespace that Lisp files use as a page break.
        if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\f') {
            return null;
        }
        if (c == '\r') {
            return index + 1 < text.length() && text.charAt(index + 1) == '\n' ? null
                    : "a carriage return not followed by a line feed; save the file with LF (or CRLF) line endings";
        }
        if (c == 0) {
            return "a NUL character is not allowed: is this a binary file? A configuration file is text";
        }
        if (Character.getType(c) == Character.CONTROL) {
            return "control character " + codePoint(c) + " is not allowed; inside a string write it as \\x"
                    + Integer.toHexString(c) + ";";
        }
        if (c == '\uFEFF') {
            return "a byte order mark (U+FEFF) is allowed only at the very start of the file; remove this one"
                    + " (joining files with cat leaves the second file's mark in the middle)";
        }
        if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
            return "invisible bidirectional control " + codePoint(c) + " makes the file display otherwise than it reads; remove it";
        }
        if (Character.isHighSurrogate(c)) {
            return index + 1 < text.length() && Character.isLowSurrogate(text.charAt(index + 1)) ? null
                    : "a lone UTF-16 surrogate " + codePoint(c) + " is not a Unicode character";
        }
        if (Character.isLowSurrogate(c)) {
            return index > 0 && Character.isHighSurrogate(text.charAt(index - 1)) ? null
                    : "a lone UTF-16 surrogate " + codePoint(c) + " is not a Unicode character";
        }
        return null;
    }

    /** {@code c} as a message may quote it: itself when printable, else U+XXXX (a tab, a CR). */
    static String shown(char c) {
        return c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? codePoint(c) : String.valueOf(c);
    }

    private static String codePoint(char c) {
        return String.format(Locale.ROOT, "U+%04X", (int) c);
    }
}

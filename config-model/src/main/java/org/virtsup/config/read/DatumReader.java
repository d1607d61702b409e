package org.virtsup.config.read;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the data of a configuration file in Scheme's written syntax (R7RS, as
 * Guile reads it): lists, strings with their escapes, integers, booleans,
 * symbols, quote and its relatives, and the three kinds of comment
 * ({@code ;}, nesting {@code #| |#} and the datum comment {@code #;}).
 * Nothing is evaluated here. Reading is total: any text gives either the
 * data or one positioned {@link ReadException}, within the bounds of
 * {@link ReadLimits}.
 */
public final class DatumReader {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private final String file;
    private final String text;
    private int index;
    private int line = 1;
    private int column = 1;
    private int dataRead;

    private DatumReader(String file, String text) {
        this.file = file;
        // Editors on some systems start UTF-8 files with a byte order mark; it is not part of the data.
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Every top-level datum of {@code text}, in order. */
    public static List<Datum> read(String file, String text) throws ReadException {
        return new DatumReader(file, text).readAll();
    }

    /**
     * The data read so far that are still open: lists waiting for more items or
     * their ')', prefixes and '#;' comments waiting for their datum. The reader
     * keeps them on this explicit stack instead of recursing, so that no nesting
     * can exhaust the thread's stack, whatever its size.
     */
    private sealed interface Open {
        Position start();
    }

    private record OpenList(char open, Position start, List<Datum> items) implements Open {}

    private record OpenPrefix(Datum.Prefix prefix, Position start) implements Open {}

    private record OpenComment(Position start) implements Open {}

    private final Deque<Open> open = new ArrayDeque<>();
    private final List<Datum> topLevel = new ArrayList<>();

    private List<Datum> readAll() throws ReadException {
        while (true) {
            skipAtmosphere();
            if (atEnd()) {
                if (open.isEmpty()) {
                    return topLevel;
                }
                throw unfinished(open.peek());
            }
            char c = peek();
            if (c == ')' || c == ']') {
                close(c);
            } else if (c == '#' && index + 1 < text.length() && text.charAt(index + 1) == ';') {
                Position start = here();
                checkDepth(start);
                advance();
                advance();
                open.push(new OpenComment(start));
            } else {
                startDatum();
            }
        }
    }

    /** Reads an atom or opens a list or a prefix; counted against the limits. */
    private void startDatum() throws ReadException {
        Position start = here();
        checkDepth(start);
        if (++dataRead > ReadLimits.MAX_DATA) {
            throw new ReadException(start, "more than " + ReadLimits.MAX_DATA + " data (lists, strings, numbers, names)"
                    + " is over virtsup's limit; a configuration needs a few hundred: is this the right file?");
        }
        char c = peek();
        switch (c) {
            case '(', '[' -> open.push(new OpenList(advance(), start, new ArrayList<>()));
            case '\'' -> openPrefix(Datum.Prefix.QUOTE, start);
            case '`' -> openPrefix(Datum.Prefix.QUASIQUOTE, start);
            case ',' -> {
                advance();
                boolean splicing = !atEnd() && peek() == '@';
                if (splicing) {
                    advance();
                }
                open.push(new OpenPrefix(splicing ? Datum.Prefix.UNQUOTE_SPLICING : Datum.Prefix.UNQUOTE, start));
            }
            case '"' -> complete(readString(start));
            case '#' -> complete(readHash(start));
            default -> complete(readAtom(start));
        }
    }

    private void checkDepth(Position start) throws ReadException {
        if (open.size() >= ReadLimits.MAX_DEPTH) {
            throw new ReadException(start, "data nested more than " + ReadLimits.MAX_DEPTH + " levels deep (lists, quotes and"
                    + " #; comments count) is over virtsup's limit; a configuration needs at most 5: look for '(' without"
                    + " its ')' or a generated file gone wrong");
        }
    }

    private void openPrefix(Datum.Prefix prefix, Position start) throws ReadException {
        advance();
        open.push(new OpenPrefix(prefix, start));
    }

    /** A datum is read: it goes into its list, completes its prefix, or is dropped by its '#;'. */
    private void complete(Datum datum) {
        Datum done = datum;
        while (true) {
            Open parent = open.peek();
            if (parent == null) {
                topLevel.add(done);
                return;
            }
            if (parent instanceof OpenList list) {
                list.items().add(done);
                return;
            }
            open.pop();
            if (parent instanceof OpenComment) {
                return;
            }
            done = new Datum.Prefixed(((OpenPrefix) parent).prefix(), done, parent.start());
        }
    }

    private void close(char c) throws ReadException {
        Open innermost = open.peek();
        if (innermost == null) {
            throw new ReadException(here(), "unexpected '" + c + "': there is no open list to close");
        }
        if (!(innermost instanceof OpenList list)) {
            throw unfinished(innermost);
        }
        char expected = list.open() == '(' ? ')' : ']';
        if (c != expected) {
            throw new ReadException(here(), "'" + c + "' closes the '" + list.open() + "' opened at "
                    + list.start().line() + ":" + list.start().column() + "; expected '" + expected + "'");
        }
        advance();
        open.pop();
        complete(new Datum.ListDatum(list.items(), list.start()));
    }

    /** What is wrong when the file or the enclosing list ends while {@code innermost} waits. */
    private static ReadException unfinished(Open innermost) {
        if (innermost instanceof OpenList list) {
            return new ReadException(list.start(), "unterminated list: the '" + list.open() + "' opened here is never closed");
        }
        if (innermost instanceof OpenPrefix prefix) {
            return new ReadException(prefix.start(), "'" + prefix.prefix().token + "' must be followed by a datum");
        }
        return new ReadException(innermost.start(), "'#;' must be followed by the datum it comments out");
    }

    private Datum readHash(Position start) throws ReadException {
        if (index + 1 >= text.length()) {
            throw new ReadException(start, "'#' must be followed by t, f, true, false or a comment");
        }
        char next = text.charAt(index + 1);
        if (next == '(') {
            throw new ReadException(start, "vectors (#(...)) are not allowed; write a list of strings as '(\"a\" \"b\")");
        }
        if (next == '\\') {
            throw new ReadException(start, "characters (#\\...) are not allowed; write a string in double quotes");
        }
        String token = atomText();
        switch (token) {
            case "#t", "#true" -> {
                return new Datum.Bool(true, start);
            }
            case "#f", "#false" -> {
                return new Datum.Bool(false, start);
            }
            default -> throw new ReadException(start, "'" + token + "' is not allowed; the only '#' data are #t, #f, #true and #false");
        }
    }

    private Datum readAtom(Position start) throws ReadException {
        String token = atomText();
        if (token.isEmpty()) {
            throw new ReadException(start, "unexpected '" + peek() + "'");
        }
        if (INTEGER.matcher(token).matches()) {
            try {
                return new Datum.Int(Long.parseLong(token.startsWith("+") ? token.substring(1) : token), start);
            } catch (NumberFormatException e) {
                throw new ReadException(start, "integer " + token + " is too large");
            }
        }
        if (token.startsWith("|")) {
            throw new ReadException(start, "symbols between '|' are not allowed");
        }
        return new Datum.Sym(token, start);
    }

    private String atomText() throws ReadException {
        int begin = index;
        while (!atEnd() && !isDelimiter(peek())) {
            advance();
        }
        return text.substring(begin, index);
    }

    private static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"' || c == ';';
    }

    private Datum readString(Position start) throws ReadException {
        advance();
        StringBuilder value = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw new ReadException(start, "unterminated string: the '\"' opened here is never closed");
            }
            Position at = here();
            char c = advance();
            if (c == '"') {
                return new Datum.Str(value.toString(), start);
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (atEnd()) {
                throw new ReadException(start, "unterminated string: the '\"' opened here is never closed");
            }
            char e = advance();
            switch (e) {
                case '"' -> value.append('"');
                case '\\' -> value.append('\\');
                case '|' -> value.append('|');
                case 'a' -> value.append('\u0007');
                case 'b' -> value.append('\b');
                case 't' -> value.append('\t');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000b');
                case '0' -> value.append('\0');
                case 'x' -> value.appendCodePoint(hexEscape(at));
                case 'u' -> value.appendCodePoint(fixedHex(at, 4));
                case 'U' -> value.appendCodePoint(fixedHex(at, 6));
                default -> {
                    if (e == ' ' || e == '\t' || e == '\n' || (e == '\r' && !atEnd() && peek() == '\n')) {
                        lineContinuation(at, e);
                    } else {
                        throw new ReadException(at, "unknown escape '\\" + TextRules.shown(e) + "' in string; allowed: \\\" \\\\ \\a \\b \\t \\n \\r \\f \\v \\0 \\xHH; \\uHHHH \\UHHHHHH and a line continuation");
                    }
                }
            }
        }
    }

    /** {@code \xHH;} (R7RS) or Guile's {@code \xHH} with exactly two digits and no semicolon. */
    private int hexEscape(Position at) throws ReadException {
        int begin = index;
        while (!atEnd() && Character.digit(peek(), 16) >= 0) {
            advance();
        }
        String digits = text.substring(begin, index);
        if (!atEnd() && peek() == ';' && !digits.isEmpty()) {
            advance();
        } else if (digits.length() != 2) {
            throw new ReadException(at, "bad escape '\\x" + digits + "': write \\xHH; (hex digits and a semicolon) or \\xHH (exactly two hex digits)");
        }
        return codePoint(at, digits);
    }

    private int fixedHex(Position at, int count) throws ReadException {
        int begin = index;
        while (!atEnd() && index - begin < count && Character.digit(peek(), 16) >= 0) {
            advance();
        }
        String digits = text.substring(begin, index);
        if (digits.length() != count) {
            throw new ReadException(at, "bad escape: '\\" + (count == 4 ? 'u' : 'U') + "' needs exactly " + count + " hex digits");
        }
        return codePoint(at, digits);
    }

    private static int codePoint(Position at, String digits) throws ReadException {
        int value;
        try {
            value = Integer.parseInt(digits, 16);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > Character.MAX_CODE_POINT || (value >= 0xD800 && value <= 0xDFFF)) {
            throw new ReadException(at, "escape '\\x" + digits + "' is not a Unicode character");
        }
        return value;
    }

    /** Backslash, spaces, a newline and the next line's leading spaces are nothing (R7RS). */
    private void lineContinuation(Position at, char first) throws ReadException {
        if (first == '\r') {
            advance(); // the '\n' of a CRLF line end
        }
        boolean sawNewline = first == '\n' || first == '\r';
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            advance();
        }
        if (!sawNewline) {
            if (!atEnd() && peek() == '\r' && index + 1 < text.length() && text.charAt(index + 1) == '\n') {
                advance(); // a CRLF line end: its '\n' is taken below
            }
            if (atEnd() || peek() != '\n') {
                throw new ReadException(at, "unknown escape '\\" + TextRules.shown(first) + "' in string; a backslash before spaces must end the line");
            }
            advance();
        }
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            advance();
        }
    }

    private void skipAtmosphere() throws ReadException {
        while (!atEnd()) {
            char c = peek();
            if (Character.isWhitespace(c)) {
                advance();
            } else if (c == ';') {
                while (!atEnd() && peek() != '\n') {
                    advance();
                }
            } else if (c == '#' && index + 1 < text.length() && text.charAt(index + 1) == '|') {
                skipBlockComment();
            } else {
                return;
            }
        }
    }

    private void skipBlockComment() throws ReadException {
        Position start = here();
        advance();
        advance();
        int depth = 1;
        while (depth > 0) {
            if (atEnd()) {
                throw new ReadException(start, "unterminated comment: the '#|' opened here is never closed by '|#'");
            }
            char c = advance();
            if (c == '|' && !atEnd() && peek() == '#') {
                advance();
                depth--;
            } else if (c == '#' && !atEnd() && peek() == '|') {
                advance();
                depth++;
            }
        }
    }

    private boolean atEnd() {
        return index >= text.length();
    }

    private char peek() {
        return text.charAt(index);
    }

    /** The next character, after checking it is one a configuration may hold. */
    private char advance() throws ReadException {
        String problem = TextRules.problem(text, index);
        if (problem != null) {
            throw new ReadException(here(), problem);
        }
        char c = text.charAt(index++);
        if (c == '\n') {
            line++;
            column = 1;
        } else if (!Character.isHighSurrogate(c)) {
            // columns count characters: the two halves of a surrogate pair are one
            column++;
        }
        return c;
    }

    private Position here() {
        return new Position(file, line, column);
    }
}

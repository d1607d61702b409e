package org.virtsup.config.read;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the data of a configuration file in Scheme's written syntax (R7RS, as
 * Guile reads it): lists, strings with their escapes, integers, booleans,
 * symbols, quote and its relatives, and the three kinds of comment
 * ({@code ;}, nesting {@code #| |#} and the datum comment {@code #;}).
 * Nothing is evaluated here.
 */
public final class DatumReader {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private final String file;
    private final String text;
    private int index;
    private int line = 1;
    private int column = 1;

    private DatumReader(String file, String text) {
        this.file = file;
        // Editors on some systems start UTF-8 files with a byte order mark; it is not part of the data.
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Every top-level datum of {@code text}, in order. */
    public static List<Datum> read(String file, String text) throws ReadException {
        return new DatumReader(file, text).readAll();
    }

    private List<Datum> readAll() throws ReadException {
        List<Datum> data = new ArrayList<>();
        while (true) {
            skipAtmosphere();
            if (atEnd()) {
                return data;
            }
            char c = peek();
            if (c == ')' || c == ']') {
                throw new ReadException(here(), "unexpected '" + c + "': there is no open list to close");
            }
            data.add(readDatum());
        }
    }

    private Datum readDatum() throws ReadException {
        skipAtmosphere();
        Position start = here();
        if (atEnd()) {
            throw new ReadException(start, "unexpected end of file: a datum was expected");
        }
        char c = peek();
        switch (c) {
            case '(', '[' -> {
                return readList(start);
            }
            case ')', ']' -> throw new ReadException(start, "unexpected '" + c + "': a datum was expected");
            case '"' -> {
                return readString(start);
            }
            case '\'' -> {
                advance();
                return new Datum.Prefixed(Datum.Prefix.QUOTE, readPrefixed(start, "'"), start);
            }
            case '`' -> {
                advance();
                return new Datum.Prefixed(Datum.Prefix.QUASIQUOTE, readPrefixed(start, "`"), start);
            }
            case ',' -> {
                advance();
                if (!atEnd() && peek() == '@') {
                    advance();
                    return new Datum.Prefixed(Datum.Prefix.UNQUOTE_SPLICING, readPrefixed(start, ",@"), start);
                }
                return new Datum.Prefixed(Datum.Prefix.UNQUOTE, readPrefixed(start, ","), start);
            }
            case '#' -> {
                return readHash(start);
            }
            default -> {
                return readAtom(start);
            }
        }
    }

    private Datum readPrefixed(Position start, String token) throws ReadException {
        skipAtmosphere();
        if (atEnd() || peek() == ')' || peek() == ']') {
            throw new ReadException(start, "'" + token + "' must be followed by a datum");
        }
        return readDatum();
    }

    private Datum readList(Position start) throws ReadException {
        char open = advance();
        char close = open == '(' ? ')' : ']';
        List<Datum> items = new ArrayList<>();
        while (true) {
            skipAtmosphere();
            if (atEnd()) {
                throw new ReadException(start, "unterminated list: the '" + open + "' opened here is never closed");
            }
            char c = peek();
            if (c == ')' || c == ']') {
                if (c != close) {
                    throw new ReadException(here(), "'" + c + "' closes the '" + open + "' opened at "
                            + start.line() + ":" + start.column() + "; expected '" + close + "'");
                }
                advance();
                return new Datum.ListDatum(items, start);
            }
            items.add(readDatum());
        }
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

    private String atomText() {
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
                    if (e == ' ' || e == '\t' || e == '\n') {
                        lineContinuation(at, e);
                    } else {
                        throw new ReadException(at, "unknown escape '\\" + e + "' in string; allowed: \\\" \\\\ \\a \\b \\t \\n \\r \\f \\v \\0 \\xHH; \\uHHHH \\UHHHHHH and a line continuation");
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
        boolean sawNewline = first == '\n';
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            advance();
        }
        if (!sawNewline) {
            if (atEnd() || peek() != '\n') {
                throw new ReadException(at, "unknown escape '\\" + first + "' in string; a backslash before spaces must end the line");
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
            } else if (c == '#' && index + 1 < text.length() && text.charAt(index + 1) == ';') {
                Position start = here();
                advance();
                advance();
                skipAtmosphere();
                if (atEnd() || peek() == ')' || peek() == ']') {
                    throw new ReadException(start, "'#;' must be followed by the datum it comments out");
                }
                readDatum();
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

    private char advance() {
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

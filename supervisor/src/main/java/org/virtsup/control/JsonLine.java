package org.virtsup.control;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON value per line (RFC 8259), as plain maps, lists, strings, numbers
 * and booleans, with the JDK alone.
 *
 * <p>Why not a JSON library: this is on the path of every {@code virtsup
 * status}, which health probes run every few seconds in a fresh JVM.
 * jackson-core's streaming parser and generator, the leanest measured, load
 * some 60 classes there and cost 20 ms of a status call with the class-data
 * archive, 80 ms without; this class is one. It reads as strictly as
 * jackson-core does with its defaults (no comments, no single quotes, no
 * leading zeros, no raw control characters in strings), nests at most
 * {@value #MAX_DEPTH} deep and takes numbers of at most
 * {@value #MAX_NUMBER_LENGTH} digits, and writes what jackson-core
 * writes, byte for byte: {@code JsonLineTest} holds it to both.
 */
final class JsonLine {
    /** Control messages are shallow; a deeper one is not ours. */
    static final int MAX_DEPTH = 16;
    static final int MAX_NUMBER_LENGTH = 32;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonLine() {}

    /** Reads exactly one JSON value: a map, list, String, Integer, Long, BigInteger, Double, Boolean or null. */
    static Object read(String text) throws IOException {
        Reader reader = new Reader(text);
        reader.skipWhitespace();
        if (reader.atEnd()) {
            throw new IOException("no JSON value");
        }
        Object value = reader.value(0);
        reader.skipWhitespace();
        if (!reader.atEnd()) {
            throw reader.unexpected("after the JSON value (more than one value on the line?)");
        }
        return value;
    }

    /** Writes a tree of maps, lists, strings, numbers and booleans on one line. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, (String) entry.getKey());
                out.append(':');
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
            out.append(value);
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    /** A quoted string, escaped as jackson-core escapes: the two-letter forms where JSON has them, else \\u00XX. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A cursor over one line of text. */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        void skipWhitespace() {
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                at++;
            }
        }

        Object value(int depth) throws IOException {
            if (atEnd()) {
                throw new IOException("the line ends inside a JSON value");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object(deeper(depth));
                case '[':
                    return array(deeper(depth));
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw unexpected("where a JSON value belongs");
            }
        }

        private int deeper(int depth) throws IOException {
            if (depth + 1 > MAX_DEPTH) {
                throw new IOException("JSON nested deeper than " + MAX_DEPTH + " levels");
            }
            return depth + 1;
        }

        private Map<String, Object> object(int depth) throws IOException {
            at++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (take('}')) {
                return map;
            }
            while (true) {
                skipWhitespace();
                if (atEnd() || text.charAt(at) != '"') {
                    throw unexpected("where an object's field name belongs");
                }
                String name = string();
                skipWhitespace();
                if (!take(':')) {
                    throw unexpected("where ':' belongs");
                }
                skipWhitespace();
                map.put(name, value(depth));
                skipWhitespace();
                if (take('}')) {
                    return map;
                }
                if (!take(',')) {
                    throw unexpected("where ',' or '}' belongs");
                }
            }
        }

        private List<Object> array(int depth) throws IOException {
            at++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (take(']')) {
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (take(']')) {
                    return list;
                }
                if (!take(',')) {
                    throw unexpected("where ',' or ']' belongs");
                }
            }
        }

        private String string() throws IOException {
            at++;
            StringBuilder out = null;
            int start = at;
            while (true) {
                if (atEnd()) {
                    throw new IOException("the line ends inside a JSON string");
                }
                char c = text.charAt(at);
                if (c == '"') {
                    String tail = text.substring(start, at++);
                    return out == null ? tail : out.append(tail).toString();
                }
                if (c < 0x20) {
                    throw unexpected("inside a string (a control character must be escaped)");
                }
                if (c != '\\') {
                    at++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(text, start, at);
                at++;
                out.append(escaped());
                start = at;
            }
        }

        /** The character a backslash escape stands for; {@code at} is just past the backslash. */
        private char escaped() throws IOException {
            if (atEnd()) {
                throw new IOException("the line ends inside a JSON string");
            }
            char c = text.charAt(at++);
            switch (c) {
                case '"', '\\', '/':
                    return c;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'u':
                    if (at + 4 > text.length()) {
                        throw new IOException("the line ends inside a \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        code = code * 16 + hexDigit();
                        at++;
                    }
                    return (char) code;
                default:
                    at--;
                    throw unexpected("after a backslash (an unknown escape)");
            }
        }

        private int hexDigit() throws IOException {
            char c = text.charAt(at);
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            throw unexpected("in a \\u escape (four hexadecimal digits expected)");
        }

        private Object literal(String word, Object value) throws IOException {
            if (!text.startsWith(word, at)) {
                throw unexpected("where a JSON value belongs");
            }
            at += word.length();
            return value;
        }

        /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, as an Integer, Long, BigInteger or Double. */
        private Object number() throws IOException {
            int start = at;
            take('-');
            if (take('0')) {
                if (digit()) {
                    throw unexpected("in a number (no leading zeros)");
                }
            } else if (!digits()) {
                throw unexpected("in a number (a digit expected)");
            }
            boolean integer = true;
            if (take('.')) {
                integer = false;
                if (!digits()) {
                    throw unexpected("in a number (a digit expected after '.')");
                }
            }
            if (take('e') || take('E')) {
                integer = false;
                if (!take('+')) {
                    take('-');
                }
                if (!digits()) {
                    throw unexpected("in a number (a digit expected in the exponent)");
                }
            }
            String number = text.substring(start, at);
            if (digitCount(number) > MAX_NUMBER_LENGTH) {
                throw new IOException("a number of more than " + MAX_NUMBER_LENGTH + " digits at column " + (start + 1));
            }
            if (!integer) {
                return Double.parseDouble(number);
            }
            // The smallest type that holds it, as jackson-core's getNumberValue().
            if (number.length() <= 18) {
                long value = Long.parseLong(number);
                return value == (int) value ? (Object) (int) value : (Object) value;
            }
            BigInteger value = new BigInteger(number);
            return value.bitLength() < 32 ? (Object) value.intValue()
                    : value.bitLength() < 64 ? (Object) value.longValue() : value;
        }

        private static int digitCount(String number) {
            int digits = 0;
            for (int i = 0; i < number.length(); i++) {
                char c = number.charAt(i);
                if (c >= '0' && c <= '9') {
                    digits++;
                }
            }
            return digits;
        }

        private boolean digit() {
            return !atEnd() && text.charAt(at) >= '0' && text.charAt(at) <= '9';
        }

        private boolean digits() {
            int start = at;
            while (digit()) {
                at++;
            }
            return at > start;
        }

        private boolean take(char c) {
            if (!atEnd() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        IOException unexpected(String where) {
            if (atEnd()) {
                return new IOException("the line ends " + where);
            }
            char c = text.charAt(at);
            // Shown so that the message, which may go back to a client, stays printable ASCII.
            String shown = c < 0x20 || c >= 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
            return new IOException("unexpected " + shown + " at column " + (at + 1) + " " + where);
        }
    }
}

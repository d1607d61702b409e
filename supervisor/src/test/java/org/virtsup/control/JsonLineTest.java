package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link JsonLine} against jackson-core, the library it replaced on the
 * control protocol, configured as it was (nesting at most 16, numbers of at
 * most 32 digits): the same bytes written for any tree, the same text
 * accepted and refused, and the same values read.
 */
class JsonLineTest {
    private static final JsonFactory JACKSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonLine.MAX_DEPTH)
                    .maxNumberLength(JsonLine.MAX_NUMBER_LENGTH).build())
            .build();

    /** JSON-ish pieces: the grammar's tokens, near misses and what must be escaped. */
    private static final List<String> PIECES = List.of("{", "}", "[", "]", ",", ":", "\"", "\"v\"", "\"a b\"",
            "\\", "\\\"", "\\n", "\\u00e9", "\\uD83D", "\\u12", "\\x", "\\/", "a", "\u00e9", "\ud83d\ude00", "\ud800",
            "0", "1", "7", "-", ".", "e", "E", "+", "00", "123456789", "2147483648", "9223372036854775808",
            "true", "false", "null", "nul", "tru", "NaN", " ", "\t", "\n", "\r", "\u0001", "\u001f", "\u007f",
            "\u2028", "//", "/*", "'", "\u00a0");

    @Property(tries = 2000)
    void writesWhatJacksonWrites(@ForAll long seed) throws IOException {
        Object tree = tree(new Random(seed), 0);
        assertEquals(jacksonWrite(tree), JsonLine.write(tree));
    }

    @Property(tries = 2000)
    void readsBackWhatItWrites(@ForAll long seed) throws IOException {
        Object tree = tree(new Random(seed), 0);
        assertEquals(tree, JsonLine.read(JsonLine.write(tree)));
    }

    @Property(tries = 5000)
    void acceptsAndReadsWhatJacksonDoes(@ForAll("texts") String text) {
        assertEquals(outcome(() -> jacksonRead(text)), outcome(() -> JsonLine.read(text)), text);
    }

    @Property(tries = 3000)
    void acceptsAndReadsWhatJacksonDoesAfterOneEdit(@ForAll long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(jacksonWrite(tree(random, 0)));
        int at = random.nextInt(text.length() + 1);
        String piece = PIECES.get(random.nextInt(PIECES.size()));
        switch (random.nextInt(3)) {
            case 0 -> text.insert(at, piece);
            case 1 -> text.replace(at, Math.min(text.length(), at + 1), piece);
            default -> text.delete(at, Math.min(text.length(), at + 1));
        }
        String edited = text.toString();
        assertEquals(outcome(() -> jacksonRead(edited)), outcome(() -> JsonLine.read(edited)), edited);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of(PIECES).list().ofMaxSize(30).map(pieces -> String.join("", pieces));
    }

    @Example
    void theEdgesAgreeWithJackson() {
        List<String> cases = new ArrayList<>(List.of("", " ", "{}", " {\"v\":1} ", "-0", "-0.0", "1e5", "1E+2",
                "1.5e-3", "-", "01", "-01", "1.", ".5", "+1", "1e", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}",
                "{1:2}", "\"\\u00zz\"", "\"a\tb\"", "\"\\uD800\"", "[true,false,null]", "truex", "{} {}",
                "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
                "9223372036854775808", "-9223372036854775809", "1" + "0".repeat(31), "1" + "0".repeat(32),
                "-1" + "0".repeat(31), "1." + "0".repeat(30), "1." + "0".repeat(31), "1e" + "0".repeat(31)));
        for (int depth = 15; depth <= 17; depth++) {
            cases.add("[".repeat(depth) + "]".repeat(depth));
            cases.add("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
        }
        for (String text : cases) {
            assertEquals(outcome(() -> jacksonRead(text)), outcome(() -> JsonLine.read(text)), text);
        }
    }

    @Example
    void aMessageAboutBadInputIsPrintableAscii() {
        IOException e = assertThrows(IOException.class, () -> JsonLine.read("{\"v\":\u2028}"));
        assertEquals("unexpected U+2028 at column 6 where a JSON value belongs", e.getMessage());
    }

    @Example
    void aUnicodeEscapeTakesOnlyAsciiHexDigits() {
        assertThrows(IOException.class, () -> JsonLine.read("\"\\u000\u1566\""));
        assertEquals("\u000f", assertDoesNotThrow(() -> JsonLine.read("\"\\u000f\"")));
    }

    private interface Reading {
        Object read() throws IOException;
    }

    /** What reading gave: the value, or that it was refused. */
    private static Object outcome(Reading reading) {
        try {
            return Arrays.asList("read", reading.read());
        } catch (IOException e) {
            return "refused";
        }
    }

    private static Object tree(Random random, int depth) {
        int kind = random.nextInt(depth >= 4 ? 6 : 8);
        switch (kind) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
                return random.nextBoolean() ? random.nextInt() : random.nextInt(100);
            case 3:
                // Only longs outside int's range: a smaller one reads back as an Integer.
                long l = random.nextLong();
                return l == (int) l ? Long.MAX_VALUE : l;
            case 4:
            case 5:
                return string(random);
            case 6: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(tree(random, depth + 1));
                }
                return list;
            }
            default: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(string(random), tree(random, depth + 1));
                }
                return map;
            }
        }
    }

    /** Any UTF-16, lone surrogates and control characters included. */
    private static String string(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            switch (random.nextInt(4)) {
                case 0 -> s.append((char) random.nextInt(0x80));
                case 1 -> s.append((char) random.nextInt(0x20));
                case 2 -> s.append("\"\\/\u007f\u2028".charAt(random.nextInt(5)));
                default -> s.append((char) random.nextInt(0x10000));
            }
        }
        return s.toString();
    }

    private static String jacksonWrite(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JACKSON.createGenerator(out)) {
            jacksonWrite(generator, value);
        }
        return out.toString();
    }

    private static void jacksonWrite(JsonGenerator generator, Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                generator.writeFieldName((String) entry.getKey());
                jacksonWrite(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof List<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                jacksonWrite(generator, item);
            }
            generator.writeEndArray();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Integer i) {
            generator.writeNumber(i);
        } else if (value instanceof Long l) {
            generator.writeNumber(l);
        } else {
            generator.writeBoolean((Boolean) value);
        }
    }

    private static Object jacksonRead(String text) throws IOException {
        if (nonAsciiHexDigit(text)) {
            // The one place where JsonLine is stricter: jackson-core 2.18 reads a \\u escape's
            // digit by its low byte only, so "\\u000\u1566" is "\\u000f" to it. JSON allows ASCII.
            throw new IOException("a \\u escape with a digit that is not ASCII");
        }
        try (JsonParser parser = JACKSON.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("no JSON value");
            }
            Object value = jacksonValue(parser, first);
            if (parser.nextToken() != null) {
                throw new IOException("more than one JSON value");
            }
            return value;
        }
    }

    /** Whether a backslash-u escape in the text has a character beyond ASCII among its four digits. */
    private static boolean nonAsciiHexDigit(String text) {
        for (int i = 1; i < text.length(); i++) {
            int backslashes = 0;
            while (i - backslashes - 1 >= 0 && text.charAt(i - backslashes - 1) == '\\') {
                backslashes++;
            }
            if (text.charAt(i) != 'u' || backslashes % 2 == 0) {
                continue;
            }
            for (int j = i + 1; j <= i + 4 && j < text.length(); j++) {
                if (text.charAt(j) > 0x7f) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object jacksonValue(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, jacksonValue(parser, parser.nextToken()));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    list.add(jacksonValue(parser, t));
                }
                return list;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                return parser.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected " + token);
        }
    }
}

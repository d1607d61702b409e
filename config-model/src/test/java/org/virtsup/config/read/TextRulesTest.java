package org.virtsup.config.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Characters that only mean a damaged or wrong file are refused where they stand, in data, strings and comments alike. */
class TextRulesTest {

    private static ReadException refused(String text) {
        return assertThrows(ReadException.class, () -> DatumReader.read("t.scm", text));
    }

    private static void refusedAt(String text, int line, int column, String message) {
        ReadException e = refused(text);
        assertEquals(new Position("t.scm", line, column), e.position(), () -> text + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(message), e::getMessage);
    }

    @Test
    void nulIsRefusedEverywhere() {
        refusedAt("(a\0)", 1, 3, "a NUL character is not allowed");
        refusedAt("(a \"b\0\")", 1, 6, "NUL");
        refusedAt("; x\0\n(a)", 1, 4, "NUL");
        refusedAt("#| \0 |#", 1, 4, "NUL");
        refusedAt("\0", 1, 1, "NUL");
    }

    @Test
    void controlCharactersAreRefusedWithTheEscapeThatWritesThem() {
        refusedAt("(a\n \"\u001b[31m\")", 2, 3, "control character U+001B is not allowed; inside a string write it as \\x1b;");
        refusedAt("(a\u000bb)", 1, 3, "U+000B");
        refusedAt("(a\u007f)", 1, 3, "U+007F");
        refusedAt("(a \u0085)", 1, 4, "U+0085");
    }

    @Test
    void aLoneCarriageReturnIsRefusedButCrlfIsALineEnd() throws ReadException {
        refusedAt("(a)\r(b)", 1, 4, "a carriage return not followed by a line feed");
        List<Datum> data = DatumReader.read("t.scm", "(a)\r\n(b\r\n c)\r\n");
        assertEquals(new Position("t.scm", 2, 1), data.get(1).position());
        assertEquals(new Position("t.scm", 3, 2), ((Datum.ListDatum) data.get(1)).items().get(1).position());
        refusedAt("(a)\r\n(b\r\n \"c)\r\n", 3, 2, "unterminated string");
    }

    @Test
    void aByteOrderMarkOnlyAtTheStart() throws ReadException {
        assertEquals(1, DatumReader.read("t.scm", "\uFEFF(a)").size());
        refusedAt("(a)\n\uFEFF(b)", 2, 1, "a byte order mark (U+FEFF) is allowed only at the very start");
        refusedAt("\uFEFF\uFEFF(a)", 1, 1, "byte order mark");
    }

    @Test
    void bidirectionalControlsAreRefused() {
        refusedAt("(a \"x\u202Ey\")", 1, 6, "invisible bidirectional control U+202E");
        refusedAt("; \u2066\n", 1, 3, "U+2066");
    }

    @Test
    void loneSurrogatesAreRefused() {
        refusedAt("(a \uD800)", 1, 4, "a lone UTF-16 surrogate U+D800");
        refusedAt("(a \uDC00)", 1, 4, "U+DC00");
        refusedAt("\"\uD800", 1, 2, "U+D800");
    }

    @Test
    void tabsFormFeedsAndCharactersOutsideTheBasicPlaneAreText() throws ReadException {
        List<Datum> data = DatumReader.read("t.scm", "(a\tb)\f\n(\"\uD83D\uDE00 \u00e9\")");
        assertEquals(2, data.size());
        assertEquals("\uD83D\uDE00 \u00e9", ((Datum.Str) ((Datum.ListDatum) data.get(1)).items().get(0)).value());
    }
}

package org.virtsup.config.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatumReaderTest {

    private static Datum one(String text) throws ReadException {
        List<Datum> data = DatumReader.read("t.scm", text);
        assertEquals(1, data.size(), () -> "expected one datum in " + text + ", got " + data);
        return data.get(0);
    }

    private static String string(String text) throws ReadException {
        return ((Datum.Str) one(text)).value();
    }

    private static ReadException refused(String text) {
        return assertThrows(ReadException.class, () -> DatumReader.read("t.scm", text));
    }

    @Test
    void plainString() throws ReadException {
        assertEquals("libvirt", string("\"libvirt\""));
        assertEquals("", string("\"\""));
    }

    @Test
    void stringEscapes() throws ReadException {
        assertEquals("a\"b", string("\"a\\\"b\""));
        assertEquals("a\\b", string("\"a\\\\b\""));
        assertEquals("a\nb\tc\rd", string("\"a\\nb\\tc\\rd\""));
        assertEquals("\u0007\b\f\u000b\0|", string("\"\\a\\b\\f\\v\\0\\|\""));
        assertEquals("A B", string("\"\\x41;\\x20;B\""));
        assertEquals("AB", string("\"\\x41\\x42\""));
        assertEquals("\u00e9\u20ac", string("\"\\xe9;\\u20ac\""));
        assertEquals("\uD83D\uDE00", string("\"\\U01F600\""));
    }

    @Test
    void lineContinuationSkipsTheNewlineAndLeadingSpace() throws ReadException {
        assertEquals("ab", string("\"a\\\n    b\""));
        assertEquals("ab", string("\"a\\  \n\tb\""));
        // A file with CRLF line ends (found by the reader's fuzzing: it was an unknown escape '\<CR>').
        assertEquals("ab", string("\"a\\\r\n    b\""));
        assertEquals("ab", string("\"a\\  \r\n\tb\""));
    }

    @Test
    void anUnknownEscapeOfAControlCharacterIsNamedPrintably() {
        String tab = refused("\"a\\\tb\"").getMessage();
        assertTrue(tab.contains("unknown escape '\\U+0009'"), tab);
    }

    @Test
    void literalNewlineInsideStringIsKept() throws ReadException {
        assertEquals("a\nb", string("\"a\nb\""));
    }

    @Test
    void byteOrderMarkAtTheStartIsNotData() throws ReadException {
        Datum datum = one("\uFEFF(a)");
        assertEquals(new Position("t.scm", 1, 1), datum.position());
    }

    @Test
    void integers() throws ReadException {
        assertEquals(1000L, ((Datum.Int) one("1000")).value());
        assertEquals(-1L, ((Datum.Int) one("-1")).value());
        assertEquals(7L, ((Datum.Int) one("+7")).value());
    }

    @Test
    void booleansInBothSpellings() throws ReadException {
        assertEquals(true, ((Datum.Bool) one("#t")).value());
        assertEquals(false, ((Datum.Bool) one("#f")).value());
        assertEquals(true, ((Datum.Bool) one("#true")).value());
        assertEquals(false, ((Datum.Bool) one("#false")).value());
    }

    @Test
    void symbolsAndLists() throws ReadException {
        Datum.ListDatum list = (Datum.ListDatum) one("(service libvirt-service-type)");
        assertEquals(new Datum.Sym("service", new Position("t.scm", 1, 2)), list.items().get(0));
        assertEquals(new Datum.Sym("libvirt-service-type", new Position("t.scm", 1, 10)), list.items().get(1));
        assertEquals(new Position("t.scm", 1, 1), list.position());
        Datum.ListDatum bracketed = (Datum.ListDatum) one("[a b]");
        assertEquals(2, bracketed.items().size());
    }

    @Test
    void quotedListsAndTheListForm() throws ReadException {
        Datum.Prefixed empty = (Datum.Prefixed) one("'()");
        assertEquals(Datum.Prefix.QUOTE, empty.prefix());
        assertEquals(List.of(), ((Datum.ListDatum) empty.datum()).items());
        Datum.Prefixed two = (Datum.Prefixed) one("'(\"a\" \"b\")");
        assertEquals(2, ((Datum.ListDatum) two.datum()).items().size());
        Datum.ListDatum call = (Datum.ListDatum) one("(list \"a\" \"b\")");
        assertEquals(3, call.items().size());
    }

    @Test
    void quasiquoteAndUnquoteAreReadSoTheLoaderCanNameThem() throws ReadException {
        assertEquals(Datum.Prefix.QUASIQUOTE, ((Datum.Prefixed) one("`(a ,b)")).prefix());
        assertEquals(Datum.Prefix.UNQUOTE_SPLICING, ((Datum.Prefixed) one(",@x")).prefix());
    }

    @Test
    void commentsOfEveryKind() throws ReadException {
        List<Datum> data = DatumReader.read("t.scm", String.join("\n",
                "; line comment",
                "#| block #| nested |# still |#",
                "#;(ignored datum (with \"a string\"))",
                "(a #;b c) ; trailing",
                "#;   #t"));
        assertEquals(1, data.size());
        Datum.ListDatum list = (Datum.ListDatum) data.get(0);
        assertEquals(List.of("a", "c"), list.items().stream().map(d -> ((Datum.Sym) d).name()).toList());
        assertEquals(new Position("t.scm", 4, 1), list.position());
    }

    @Test
    void positionsCountLinesAndColumnsFromOne() throws ReadException {
        Datum.ListDatum list = (Datum.ListDatum) one("\n  (x\n     \"v\")");
        assertEquals(new Position("t.scm", 2, 3), list.position());
        assertEquals(new Position("t.scm", 3, 6), list.items().get(1).position());
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsOneColumn() throws ReadException {
        Datum.ListDatum list = (Datum.ListDatum) one("(\"\uD83D\uDE00\" x)");
        assertEquals(new Position("t.scm", 1, 6), list.items().get(1).position());
    }

    @Test
    void unterminatedStringIsReportedAtItsOpeningQuote() {
        ReadException e = refused("(a\n  \"abc\n\n");
        assertEquals(new Position("t.scm", 2, 3), e.position());
        assertTrue(e.getMessage().startsWith("unterminated string"), e.getMessage());
    }

    @Test
    void unterminatedListIsReportedAtItsOpeningParenthesis() {
        ReadException e = refused("(service libvirt-service-type\n  (libvirt-configuration\n   (tls-port \"1\"))");
        assertEquals(new Position("t.scm", 1, 1), e.position());
        assertTrue(e.getMessage().startsWith("unterminated list"), e.getMessage());
    }

    @Test
    void unterminatedBlockCommentIsReportedWhereItOpens() {
        ReadException e = refused("(a)\n #| #| |#");
        assertEquals(new Position("t.scm", 2, 2), e.position());
    }

    @Test
    void strayClosingParenthesis() {
        ReadException e = refused("(a))");
        assertEquals(new Position("t.scm", 1, 4), e.position());
    }

    @Test
    void mismatchedBracket() {
        assertEquals(new Position("t.scm", 1, 5), refused("(a b]").position());
    }

    @Test
    void refusedSyntax() {
        assertTrue(refused("#\\a").getMessage().contains("characters"));
        assertTrue(refused("#(1 2)").getMessage().contains("vectors"));
        assertTrue(refused("#:keyword").getMessage().contains("'#:keyword' is not allowed"));
        assertTrue(refused("\"\\q\"").getMessage().contains("unknown escape '\\q'"));
        assertTrue(refused("\"\\x4\"").getMessage().contains("bad escape"));
        assertTrue(refused("\"\\xD800;\"").getMessage().contains("not a Unicode character"));
        assertTrue(refused("99999999999999999999").getMessage().contains("too large"));
        assertTrue(refused("'").getMessage().contains("must be followed by a datum"));
        assertTrue(refused("(#;)").getMessage().contains("'#;' must be followed"));
    }

    @Test
    void describeNamesWhatWasFound() throws ReadException {
        assertEquals("(string-append ...)", one("(string-append \"a\" \"b\")").describe());
        assertEquals("symbol '%base-services'", one("%base-services").describe());
        assertEquals("quasiquote `(...)", one("`(a)").describe());
        assertEquals("string \"a\\\"b\"", one("\"a\\\"b\"").describe());
    }
}

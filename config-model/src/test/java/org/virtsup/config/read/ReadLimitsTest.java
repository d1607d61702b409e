package org.virtsup.config.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every way of nesting and every count is bounded, with a message at the datum that crosses the bound. */
class ReadLimitsTest {
    /** A quarter of the stack virtsup run gives its threads (-Xss256k in the launcher): the reader does not recurse. */
    private static final long SMALL_STACK_BYTES = 64 * 1024;

    private static ReadException refused(String text) {
        return assertThrows(ReadException.class, () -> DatumReader.read("t.scm", text));
    }

    private static String lists(int depth) {
        return "(".repeat(depth) + ")".repeat(depth);
    }

    @Test
    void listsNestedThreeThousandDeepAreRefusedWhereTheLimitIsCrossed() {
        ReadException e = refused("(service libvirt-service-type\n " + lists(3000) + ")");
        // the outer list is level 1, so the 256th '(' of the second line is the 257th level
        assertEquals(new Position("t.scm", 2, 2 + ReadLimits.MAX_DEPTH - 1), e.position());
        assertTrue(e.getMessage().startsWith("data nested more than 256 levels deep"), e.getMessage());
        assertTrue(e.getMessage().contains("a configuration needs at most 5"), e.getMessage());
    }

    @Test
    void quotesUnquotesAndDatumCommentsCountAsNesting() {
        for (String prefix : List.of("'", "`", ",", ",@", "#;", "#;(", "['")) {
            String text = prefix.repeat(3000) + "x";
            ReadException e = refused(text);
            assertTrue(e.getMessage().startsWith("data nested more than"), () -> prefix + ": " + e.getMessage());
        }
    }

    @Test
    void theDeepestAllowedNestingOfEveryKindReadsOnASmallStack() throws InterruptedException {
        int depth = ReadLimits.MAX_DEPTH;
        List<String> texts = List.of(
                lists(depth),
                "'".repeat(depth - 1) + "x",
                "(" + "#;".repeat(depth - 2) + "x ".repeat(depth - 1) + ")",
                "('".repeat(depth / 2 - 1) + "x" + ")".repeat(depth / 2 - 1),
                "(#;".repeat(depth / 2 - 1) + "x" + ")".repeat(depth / 2 - 1) + " ");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(null, () -> {
            try {
                for (String text : texts) {
                    DatumReader.read("t.scm", text);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack-reader", SMALL_STACK_BYTES);
        reader.start();
        reader.join();
        assertEquals(null, failure.get());
    }

    @Test
    void oneLevelMoreIsRefused() {
        assertTrue(refused(lists(ReadLimits.MAX_DEPTH + 1)).getMessage().startsWith("data nested more than"));
    }

    @Test
    void theNumberOfDataIsBounded() throws ReadException {
        // a list of MAX_DATA - 1 names is MAX_DATA data
        assertEquals(1, DatumReader.read("t.scm", "(" + "a ".repeat(ReadLimits.MAX_DATA - 1) + ")").size());
        ReadException e = refused("(" + "a ".repeat(ReadLimits.MAX_DATA) + ")");
        assertEquals(new Position("t.scm", 1, 2 + 2 * (ReadLimits.MAX_DATA - 1)), e.position());
        assertTrue(e.getMessage().startsWith("more than 20000 data"), e.getMessage());
    }

    @Test
    void commentedOutDataCountToo() {
        assertTrue(refused("#;(" + "a ".repeat(ReadLimits.MAX_DATA) + ")").getMessage().startsWith("more than"));
    }
}

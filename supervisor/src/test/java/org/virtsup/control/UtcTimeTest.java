package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link UtcTime} gives what java.time gives, for any instant and any text. */
class UtcTimeTest {
    private static final DateTimeFormatter SHOWN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Property(tries = 3000)
    void readsWhatInstantWritesAsInstantDoes(@ForAll @LongRange(min = -70_000_000_000L, max = 260_000_000_000L)
            long seconds, @ForAll @IntRange(min = 0, max = 999_999_999) int nanos, @ForAll("precisions") int digits) {
        Instant instant = Instant.ofEpochSecond(seconds, nanos / (int) Math.pow(10, 9 - digits)
                * (int) Math.pow(10, 9 - digits));
        String text = instant.toString();
        assertEquals(Instant.parse(text), UtcTime.parse(text), text);
    }

    @Property(tries = 3000)
    void showsAnInstantAsTheFormatterDoes(@ForAll @LongRange(min = -70_000_000_000L, max = 260_000_000_000L)
            long seconds, @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        Instant instant = Instant.ofEpochSecond(seconds, nanos);
        assertEquals(SHOWN.format(instant), UtcTime.format(instant), instant.toString());
    }

    @Property(tries = 3000)
    void anyTextGivesWhatInstantParseGives(@ForAll("nearlyInstants") String text) {
        assertEquals(outcome(() -> Instant.parse(text)), outcome(() -> UtcTime.parse(text)), text);
    }

    @Example
    void theEdgesAgreeWithInstantParse() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z",
                "2026-01-01T00:60:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
                "2026-01-01t00:00:00z", "2026-01-01T00:00:00+01:00", "0000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                "-0001-12-31T23:59:59Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00", "", "2026-01-01T00:00:0\u0661Z")) {
            assertEquals(outcome(() -> Instant.parse(text)), outcome(() -> UtcTime.parse(text)), text);
        }
    }

    @Provide
    Arbitrary<Integer> precisions() {
        return Arbitraries.of(0, 1, 3, 6, 9);
    }

    /** Instants' text with one character replaced, dropped or added. */
    @Provide
    Arbitrary<String> nearlyInstants() {
        Arbitrary<String> instants = Arbitraries.longs().between(-70_000_000_000L, 260_000_000_000L)
                .map(s -> Instant.ofEpochSecond(s, s % 3 == 0 ? 0 : Math.floorMod(s * 7919, 1_000_000_000L))
                        .toString());
        Arbitrary<Character> characters = Arbitraries.of('0', '1', '2', '3', '5', '9', '-', ':', '.', 'T', 'Z',
                'z', '+', ' ', '\u0661');
        return net.jqwik.api.Combinators.combine(instants, Arbitraries.integers().between(0, 40), characters,
                Arbitraries.integers().between(0, 3)).as((text, index, c, edit) -> {
                    StringBuilder s = new StringBuilder(text);
                    int at = Math.min(index, s.length());
                    switch (edit) {
                        case 0 -> s.insert(at, c);
                        case 1 -> {
                            if (at < s.length()) {
                                s.setCharAt(at, c);
                            }
                        }
                        case 2 -> {
                            if (at < s.length()) {
                                s.deleteCharAt(at);
                            }
                        }
                        default -> { }
                    }
                    return s.toString();
                });
    }

    private interface Parsing {
        Instant parse();
    }

    /** The instant, or the kind of exception. */
    private static Object outcome(Parsing parsing) {
        try {
            return parsing.parse();
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}

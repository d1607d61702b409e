package org.virtsup.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.virtsup.supervise.Daemon;

/**
 * The state record's parser over any input: a text is a record that renders
 * back to the same text, or {@link StateRecord.Invalid}; nothing else escapes.
 * Records themselves survive rendering and parsing unchanged.
 */
class StateRecordFuzzTest {

    @Property(tries = 3000)
    void anyTextIsARecordOrInvalid(@ForAll("texts") String text) {
        parsesOrRefuses(text);
    }

    @Property(tries = 3000)
    void aDamagedRecordIsARecordOrInvalid(@ForAll("records") StateRecord record, @ForAll("damage") Damage damage) {
        parsesOrRefuses(damage.applyTo(record.render()));
    }

    @Property(tries = 1000)
    void everyRecordReadsBackUnchanged(@ForAll("records") StateRecord record) throws StateRecord.Invalid {
        assertEquals(record, StateRecord.parse(record.render()));
    }

    private static void parsesOrRefuses(String text) {
        StateRecord record;
        try {
            record = StateRecord.parse(text);
        } catch (StateRecord.Invalid refused) {
            return;
        }
        assertEquals(record, parseOrFail(record.render()), "what was accepted reads back the same: " + text);
    }

    private static StateRecord parseOrFail(String text) {
        try {
            return StateRecord.parse(text);
        } catch (StateRecord.Invalid e) {
            throw new AssertionError("its own rendering is refused: " + e.getMessage() + "\n" + text, e);
        }
    }

    /** One change to a valid text: a character replaced, inserted or removed, or the text cut. */
    record Damage(int kind, int at, char with) {
        String applyTo(String text) {
            int i = Math.floorMod(at, text.length());
            return switch (kind) {
                case 0 -> text.substring(0, i) + with + text.substring(i + 1);
                case 1 -> text.substring(0, i) + with + text.substring(i);
                case 2 -> text.substring(0, i) + text.substring(i + 1);
                default -> text.substring(0, i);
            };
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                Arbitraries.of('=', ' ', '\n', ',', ':', '0', '9', 'A', '/', '\0', '-', 'z', '\u00e9'))
                .as(Damage::new);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> tokens = Arbitraries.oneOf(
                Arbitraries.of(StateRecord.HEADER + "\n", "daemon=", "libvirtd", "virtlogd", " pid=", " start-time=",
                        " executable=", " command-line=", " configuration=", " sockets=", "Lw==", "eA==", "\n",
                        ",", ":", "=", " ", "4711", "-1", Records.DIGEST),
                Arbitraries.strings().ofMaxLength(12));
        return tokens.list().ofMaxSize(30).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<StateRecord> records() {
        Arbitrary<String> argument = Arbitraries.strings().ofMaxLength(10).filter(StateRecordFuzzTest::text)
                .map(s -> s.replace("\0", ""));
        Arbitrary<ProcessIdentity> process = Combinators.combine(
                Arbitraries.integers().between(1, 4_194_304),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.strings().ofMaxLength(20).filter(StateRecordFuzzTest::text)
                        .map(s -> "/" + s.replace("\0", "")),
                argument.list().ofMinSize(1).ofMaxSize(6).filter(args -> !String.join("", args).isEmpty()
                        || args.size() > 1))
                .as(ProcessIdentity::new);
        Arbitrary<Map<String, Long>> sockets = Arbitraries.maps(
                Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz.-_0123456789").ofMinLength(1)
                        .ofMaxLength(20),
                Arbitraries.longs().between(0, Long.MAX_VALUE)).ofMaxSize(5);
        Arbitrary<String> digest = Arbitraries.strings().withChars("0123456789abcdef").ofLength(64);
        Arbitrary<DaemonRecord> libvirtd = Combinators.combine(process, digest, sockets)
                .as((p, d, s) -> new DaemonRecord(Daemon.LIBVIRTD, p, d, s));
        Arbitrary<DaemonRecord> virtlogd = Combinators.combine(process, digest, sockets)
                .as((p, d, s) -> new DaemonRecord(Daemon.VIRTLOGD, p, d, s));
        return Combinators.combine(libvirtd.optional(), virtlogd.optional()).as((l, v) -> {
            Map<Daemon, DaemonRecord> daemons = new java.util.EnumMap<>(Daemon.class);
            l.ifPresent(r -> daemons.put(Daemon.LIBVIRTD, r));
            v.ifPresent(r -> daemons.put(Daemon.VIRTLOGD, r));
            return new StateRecord(daemons);
        });
    }

    /** What /proc can hold once decoded: no lone surrogate (it has no UTF-8 form). */
    private static boolean text(String s) {
        return s.chars().noneMatch(c -> Character.isSurrogate((char) c));
    }
}

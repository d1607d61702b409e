package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.virtsup.config.read.ReadLimits;

/**
 * The loader over arbitrary bytes and over mutations of valid configurations:
 * it returns, always, either a configuration and no error or errors with
 * positions inside the file, few and short enough to print.
 */
class ReaderFuzzTest {
    private static final FuzzCount BYTES = new FuzzCount("reader over arbitrary bytes");
    private static final FuzzCount MUTANTS = new FuzzCount("reader over mutated configurations");
    private static long slowestNanos;

    @Property(tries = 3000)
    void arbitraryBytesGiveAConfigurationOrPositionedErrors(@ForAll("bytes") byte[] bytes) {
        BYTES.check(() -> loadsTotally(bytes));
    }

    // Mutants are many-part combinations whose edge cases alone outnumber the tries: random ones only.
    @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
    void mutatedConfigurationsGiveAConfigurationOrPositionedErrors(@ForAll("mutants") byte[] bytes) {
        MUTANTS.check(() -> loadsTotally(bytes));
    }

    @AfterContainer
    static void printCounts() {
        BYTES.print();
        MUTANTS.print();
        System.out.println("virtsup-benchmark: slowest fuzzed load: " + slowestNanos / 1_000 + " us");
    }

    /** The documented result: a configuration iff no error; every diagnostic positioned inside the file and printable. */
    static ConfigurationLoader.Loaded loadsTotally(byte[] bytes) {
        long started = System.nanoTime();
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("fuzz.scm", bytes, "h");
        slowestNanos = Math.max(slowestNanos, System.nanoTime() - started);
        assertEquals(loaded.configuration().isEmpty(), loaded.hasErrors(), loaded::toString);
        assertTrue(loaded.diagnostics().size() <= ConfigurationLoader.MAX_DIAGNOSTICS + 1);
        long lines = 1 + new String(bytes, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        for (Diagnostic d : loaded.diagnostics()) {
            assertEquals("fuzz.scm", d.position().file());
            assertTrue(d.position().line() >= 1 && d.position().line() <= lines, d::format);
            assertTrue(d.position().column() >= 1, d::format);
            assertFalse(d.message().isBlank());
            assertTrue(d.format().chars().noneMatch(c -> c < 0x20 || c == 0x7f), () -> "unprintable: " + d.format());
        }
        loaded.configuration().ifPresent(c -> {
            // the renderer is total over what the loader accepts
            c.libvirt().ifPresent(LibvirtdConf::render);
            c.virtlog().ifPresent(VirtlogdConf::render);
        });
        return loaded;
    }

    /** Random bytes, and strings of the syntax's own tokens and of what breaks text. */
    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        Arbitrary<byte[]> tokens = token().list().ofMaxSize(400).map(ReaderFuzzTest::join);
        return Arbitraries.oneOf(random, tokens);
    }

    private static Arbitrary<String> token() {
        return Arbitraries.oneOf(
                Arbitraries.of("(", ")", "[", "]", "\"", "\\", "#", ";", "|", "'", "`", ",", ",@", "@", "#|", "|#", "#;", "#t",
                        "#false", "#\\a", "#(", "\\x41;", "\\x", "\\u20ac", "\\U01F600", " ", "\n", "\r\n", "\r", "\t", "\0",
                        "\u001b", "\u00e9", "\uFEFF", "\u202E", "\uD83D\uDE00", "service", "libvirt-service-type",
                        "virtlog-service-type", "libvirt-configuration", "virtlog-configuration",
                        "supervisor-configuration", "tls-port", "max-clients", "access-drivers", "list", "quote",
                        "1", "-1", "99999999999999999999", "1.5", "\"16514\"", "'(\"a\" \"b\")"),
                Arbitraries.integers().between(1, 3000).map("("::repeat),
                Arbitraries.integers().between(1, 3000).map("'"::repeat),
                Arbitraries.strings().ofMaxLength(8));
    }

    /** A configuration, generated or from the specification's examples, with a few mutations. */
    @Provide
    Arbitrary<byte[]> mutants() {
        Arbitrary<String> seeds = Arbitraries.oneOf(
                Arbitraries.of(Golden.text("example-libvirt.scm"), Golden.text("example-virtlog.scm"), Golden.text("nondefault.scm")),
                GeneratedConfigurations.valid().map(GeneratedConfigurations.Generated::text));
        return Combinators.combine(seeds, mutation().list().ofMinSize(1).ofMaxSize(6)).as((seed, mutations) -> {
            byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
            for (Mutation m : mutations) {
                bytes = m.apply(bytes);
            }
            return bytes;
        });
    }

    private static Arbitrary<Mutation> mutation() {
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> length = Arbitraries.integers().between(1, 64);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(at, length).as(Mutation.Delete::new)),
                Tuple.of(3, Combinators.combine(at, token()).as((a, t) -> new Mutation.Insert(a, t.getBytes(StandardCharsets.UTF_8)))),
                Tuple.of(2, Combinators.combine(at, length).as(Mutation.Duplicate::new)),
                Tuple.of(2, Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(Mutation.FlipBit::new)),
                Tuple.of(1, at.map(Mutation.Truncate::new)));
    }

    private static byte[] join(List<String> tokens) {
        return String.join("", tokens).getBytes(StandardCharsets.UTF_8);
    }

    /** One change to a file's bytes, placed at a fraction of its length. */
    sealed interface Mutation {
        byte[] apply(byte[] bytes);

        static int index(double at, byte[] bytes) {
            return (int) Math.min(bytes.length, Math.floor(at * bytes.length));
        }

        static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
            byte[] out = new byte[from + insert.length + bytes.length - to];
            System.arraycopy(bytes, 0, out, 0, from);
            System.arraycopy(insert, 0, out, from, insert.length);
            System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
            return out;
        }

        record Delete(double at, int length) implements Mutation {
            public byte[] apply(byte[] bytes) {
                int from = index(at, bytes);
                return splice(bytes, from, Math.min(bytes.length, from + length), new byte[0]);
            }
        }

        record Insert(double at, byte[] insert) implements Mutation {
            public byte[] apply(byte[] bytes) {
                int from = index(at, bytes);
                return splice(bytes, from, from, insert);
            }
        }

        record Duplicate(double at, int length) implements Mutation {
            public byte[] apply(byte[] bytes) {
                int from = index(at, bytes);
                int to = Math.min(bytes.length, from + length);
                return splice(bytes, to, to, java.util.Arrays.copyOfRange(bytes, from, to));
            }
        }

        record FlipBit(double at, int bit) implements Mutation {
            public byte[] apply(byte[] bytes) {
                if (bytes.length == 0) {
                    return bytes;
                }
                byte[] out = bytes.clone();
                out[Math.min(bytes.length - 1, index(at, bytes))] ^= (byte) (1 << bit);
                return out;
            }
        }

        record Truncate(double at) implements Mutation {
            public byte[] apply(byte[] bytes) {
                return java.util.Arrays.copyOf(bytes, index(at, bytes));
            }
        }
    }

    /** A file at the size limit made only of nesting and data stays within the limits too. */
    @Property(tries = 5)
    void filesAtTheSizeLimit(@ForAll("bigTokens") String token) {
        byte[] bytes = token.repeat(ReadLimits.MAX_FILE_BYTES / token.length()).getBytes(StandardCharsets.UTF_8);
        MUTANTS.check(() -> loadsTotally(bytes));
    }

    @Provide
    Arbitrary<String> bigTokens() {
        return Arbitraries.of("(", "a ", "'", "#;", "\"", "#|", "(a", "\"a\" ", "(x)");
    }

    // ---- what the fuzzers found in the recursive reader, kept as examples ----

    /** Found over arbitrary bytes: the sample (shrinking gave up on its size) was mostly quotes, then open parentheses. */
    @Example
    void runsOfQuotesAndOpenParenthesesOverflowedTheStack() {
        ConfigurationLoader.Loaded loaded = loadsTotally(("'".repeat(35_156) + "(".repeat(30_329)).getBytes(StandardCharsets.US_ASCII));
        String error = loaded.errors().get(0).format();
        assertTrue(error.startsWith("fuzz.scm:1:257: error: data nested more than 256 levels deep"), error);
    }

    /** Found over mutated configurations: a NUL byte before the specification's example came back raw in the message. */
    @Example
    void aNulByteWasWrittenRawIntoTheMessage() {
        byte[] bytes = ("\0" + Golden.text("example-libvirt.scm")).getBytes(StandardCharsets.UTF_8);
        assertEquals("fuzz.scm:1:1: error: a NUL character is not allowed: is this a binary file? A configuration file is text",
                loadsTotally(bytes).errors().get(0).format());
    }

    /** Found at the size limit: a file of open parentheses only. */
    @Example
    void aMebibyteOfOpenParenthesesOverflowedTheStack() {
        byte[] bytes = "(".repeat(ReadLimits.MAX_FILE_BYTES).getBytes(StandardCharsets.US_ASCII);
        assertTrue(loadsTotally(bytes).errors().get(0).message().startsWith("data nested more than 256 levels deep"));
    }
}

package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import org.virtsup.posix.JnrPosix;
import org.virtsup.supervise.Signal;

/**
 * The control protocol's decoding over any input: a line decodes to a valid
 * request or to a {@link ProtocolException}; the line reader gives lines or an
 * IOException; a real server answers every line with an error or a result and
 * keeps serving.
 */
class ControlDecoderFuzzTest {
    private static final AtomicInteger DECODED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();
    private static final AtomicInteger LINES = new AtomicInteger();
    private static final AtomicInteger SENT = new AtomicInteger();

    private Path directory;
    private ControlServer server;

    @Property(tries = 5000)
    void everyLineIsARequestOrAProtocolError(@ForAll("lines") String line) {
        decodes(line);
    }

    /** Decodes as the server does; a request must survive encoding and decoding again unchanged. */
    private static void decodes(String line) {
        try {
            Request request = ControlProtocol.decodeRequest(line);
            DECODED.incrementAndGet();
            assertEquals(request, ControlProtocol.decodeRequest(ControlProtocol.encodeRequest(request)));
        } catch (ProtocolException e) {
            REFUSED.incrementAndGet();
            assertNotNull(e.code());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } catch (RuntimeException | Error e) {
            FAILED.incrementAndGet();
            throw e;
        }
    }

    @Property(tries = 1000)
    void theLineReaderGivesBoundedLinesOrAnIoException(@ForAll("chunks") List<byte[]> chunks) throws IOException {
        int max = 256;
        LineReader reader = new LineReader(channel(chunks), max);
        for (int i = 0; i < 10_000; i++) {
            String line;
            try {
                line = reader.readLine();
            } catch (LineReader.LineTooLongException e) {
                if (!reader.skipLine(ControlProtocol.MAX_LINE_BYTES)) {
                    return;
                }
                continue;
            }
            if (line == null) {
                return;
            }
            LINES.incrementAndGet();
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 3 * max, line);
        }
        fail("the reader did not reach the end of " + chunks.size() + " chunks");
    }

    @Property(tries = 300)
    void aRealServerAnswersEveryLineAndKeepsServing(@ForAll("lines") String line) throws Exception {
        if (server == null) {
            directory = Files.createTempDirectory("virtsup-fuzz");
            server = ControlServer.start(ControlServerSettings.of(directory.resolve("control.sock"), "root", 0,
                    Duration.ofSeconds(30), Duration.ofSeconds(20)), new FakeSupervisor(), new PeerPrivilege(0), new JnrPosix());
        }
        SENT.incrementAndGet();
        String sent = line.replace('\n', ' ');
        try (RawConnection connection = new RawConnection(directory.resolve("control.sock"))) {
            // the line, then a status request on the same connection: a blank line is skipped, any other is answered
            connection.send(sent + "\n" + ControlProtocol.encodeRequest(new Request.Status(Optional.empty())) + "\n");
            Map<?, ?> first = reply(connection, sent);
            if (first.get("error") instanceof Map<?, ?> error && "request-too-large".equals(error.get("code"))) {
                return;
            }
            if (!sent.isBlank()) {
                assertTrue(first.containsKey("error") || first.containsKey("result"), first::toString);
                first = reply(connection, sent);
            }
            assertTrue(first.get("result") instanceof Map<?, ?> result && result.containsKey("daemons"), first::toString);
        }
    }

    private static Map<?, ?> reply(RawConnection connection, String sent) throws IOException {
        String reply = connection.readLine();
        assertNotNull(reply, () -> "the connection closed after " + sent);
        return assertInstanceOf(Map.class, JsonLine.read(reply), reply);
    }

    @AfterProperty
    void stopServer() throws IOException {
        if (server != null) {
            server.close();
            server = null;
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @AfterContainer
    static void printCounts() {
        System.out.println("virtsup-fuzz: control decoder: " + (DECODED.get() + REFUSED.get() + FAILED.get()) + " lines tried ("
                + DECODED.get() + " requests, " + REFUSED.get() + " protocol errors), " + FAILED.get() + " failed");
        System.out.println("virtsup-fuzz: control line reader: " + LINES.get() + " lines read, 0 failed");
        System.out.println("virtsup-fuzz: control server: " + SENT.get() + " connections, every line answered and the next served");
    }

    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> valid = request().map(ControlProtocol::encodeRequest);
        Arbitrary<String> mutated = Combinators.combine(valid, edit().list().ofMinSize(1).ofMaxSize(5)).as((text, edits) -> {
            String out = text;
            for (Edit e : edits) {
                out = e.apply(out);
            }
            return out;
        });
        Arbitrary<String> tokens = token().list().ofMaxSize(60).map(l -> String.join("", l));
        return Arbitraries.oneOf(valid, mutated, tokens, Arbitraries.strings().ofMaxLength(200));
    }

    private static Arbitrary<Request> request() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("libvirtd", "virtlogd", "nope"), Arbitraries.strings().ofMinLength(1).ofMaxLength(12));
        return Arbitraries.oneOf(
                name.optional().map(Request.Status::new),
                name.map(Request.Start::new),
                name.map(Request.Stop::new),
                name.map(Request.Restart::new),
                name.optional().map(Request.Reload::new),
                Combinators.combine(name, Arbitraries.integers().between(1, 64)).as((n, s) -> new Request.Signal(n, new Signal(s))),
                Combinators.combine(name, Arbitraries.integers().between(1, Request.Log.MAX_LINES)).as(Request.Log::new));
    }

    private static Arbitrary<String> token() {
        return Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "\\uDC00", "1e999999", "-0", "1.0",
                        "99999999999999999999999", "4294967297", "null", "true", "false", "\"v\"", "\"command\"", "\"name\"",
                        "\"signal\"", "\"lines\"", "\"status\"", "\"log\"", "\"SIGHUP\"", "1", "9.5", " ", "\t", "\r", "\0",
                        "\u2028", "\uFEFF", "\uD83D\uDE00", "\uFFFD", "/*", "'"),
                Arbitraries.integers().between(1, 2000).map("["::repeat),
                Arbitraries.integers().between(1, 200).map("{\"a\":"::repeat));
    }

    private record Edit(double at, int length, String insert) {
        String apply(String text) {
            int from = (int) Math.min(text.length(), Math.floor(at * text.length()));
            int to = Math.min(text.length(), from + length);
            return text.substring(0, from) + insert + text.substring(to);
        }
    }

    private static Arbitrary<Edit> edit() {
        return Combinators.combine(Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 8), token()).as(Edit::new);
    }

    /** Bytes as a peer sends them: any bytes, newlines among them, in chunks of any size. */
    @Provide
    Arbitrary<List<byte[]>> chunks() {
        Arbitrary<byte[]> chunk = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(600),
                Arbitraries.of("\n", "{\"v\":1,\"command\":\"status\"}\n", "\u00e9\n", "\r\n")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
        return chunk.list().ofMaxSize(20);
    }

    private static ReadableByteChannel channel(List<byte[]> chunks) {
        List<byte[]> remaining = new ArrayList<>(chunks);
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                while (!remaining.isEmpty() && remaining.get(0).length == 0) {
                    remaining.remove(0);
                }
                if (remaining.isEmpty()) {
                    return -1;
                }
                byte[] head = remaining.remove(0);
                int n = Math.min(head.length, dst.remaining());
                dst.put(head, 0, n);
                if (n < head.length) {
                    remaining.add(0, java.util.Arrays.copyOfRange(head, n, head.length));
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }

    @Example
    void aDeeplyNestedLineIsAProtocolError() {
        decodes("{\"v\":1,\"command\":" + "[".repeat(5000));
        decodes("[".repeat(100_000));
    }
}

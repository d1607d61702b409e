package org.virtsup.config.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A configuration file's bytes: read within the size limit and decoded as UTF-8, refusing with a position. */
public final class ConfigurationBytes {
    private ConfigurationBytes() {}

    /**
     * At most {@link ReadLimits#MAX_FILE_BYTES} + 1 bytes of {@code file}: enough
     * to tell that a file is over the limit without reading a huge (or endless)
     * one whole.
     */
    public static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(ReadLimits.MAX_FILE_BYTES + 1);
        }
    }

    /** The text of {@code bytes}, strict UTF-8, or why it is not a configuration's text and where. */
    public static String decode(String file, byte[] bytes) throws ReadException {
        if (bytes.length > ReadLimits.MAX_FILE_BYTES) {
            throw tooLarge(file);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new ReadException(positionAfter(file, out.flip()), String.format(Locale.ROOT,
                    "the file is not UTF-8 text: byte 0x%02X at byte offset %d does not belong here;"
                    + " save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 converts a Latin-1 file)",
                    bytes[offset] & 0xff, offset));
        }
        return out.flip().toString();
    }

    /** Refuses a text longer than the limit, for callers that hold text rather than bytes. */
    public static void checkLength(String file, String text) throws ReadException {
        if (text.length() > ReadLimits.MAX_FILE_BYTES) {
            throw tooLarge(file);
        }
    }

    private static ReadException tooLarge(String file) {
        return new ReadException(new Position(file, 1, 1), "the file is larger than " + ReadLimits.MAX_FILE_BYTES
                + " bytes (1 MiB), virtsup's limit for a configuration, which takes a few KiB: is this the right file?");
    }

    /** The line and column just after {@code text}, counted as the reader counts them. */
    private static Position positionAfter(String file, CharSequence text) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                column = 1;
            } else if (!Character.isHighSurrogate(c) && !(i == 0 && c == '\uFEFF')) {
                column++;
            }
        }
        return new Position(file, line, column);
    }
}

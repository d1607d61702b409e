package org.virtsup.config.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationBytesTest {

    private static ReadException refused(byte[] bytes) {
        return assertThrows(ReadException.class, () -> ConfigurationBytes.decode("t.scm", bytes));
    }

    private static byte[] bytes(String before, int... raw) {
        byte[] text = before.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[text.length + raw.length];
        System.arraycopy(text, 0, all, 0, text.length);
        for (int i = 0; i < raw.length; i++) {
            all[text.length + i] = (byte) raw[i];
        }
        return all;
    }

    @Test
    void invalidUtf8IsReportedAtItsLineAndColumn() {
        ReadException e = refused(bytes("(a)\n(\u00e9 ", 0xff, ')'));
        assertEquals(new Position("t.scm", 2, 4), e.position());
        assertEquals("the file is not UTF-8 text: byte 0xFF at byte offset 8 does not belong here;"
                + " save the file as UTF-8 (iconv -f LATIN1 -t UTF-8 converts a Latin-1 file)", e.getMessage());
    }

    @Test
    void everyKindOfBadSequenceIsRefused() {
        int[][] bad = {
            {0xc3, 0x28},             // a lead byte without its continuation
            {0x80},                   // a continuation byte alone
            {0xc0, 0x80},             // an overlong NUL
            {0xed, 0xa0, 0x80},       // a UTF-16 surrogate encoded in UTF-8
            {0xf4, 0x90, 0x80, 0x80}, // above U+10FFFF
            {0xe2, 0x82},             // cut short at the end of the file
        };
        for (int[] sequence : bad) {
            ReadException e = refused(bytes("(a ", sequence));
            assertEquals(new Position("t.scm", 1, 4), e.position(), e::getMessage);
        }
    }

    @Test
    void aLatin1FileIsRefusedAtItsFirstAccent() {
        ReadException e = refused("; r\u00e9sum\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(new Position("t.scm", 1, 4), e.position());
    }

    @Test
    void aByteOrderMarkDoesNotCountAsAColumn() {
        assertEquals(new Position("t.scm", 1, 2), refused(bytes("\uFEFF(", 0xff)).position());
    }

    @Test
    void theSizeLimit() throws ReadException {
        byte[] atLimit = bytes(";".repeat(ReadLimits.MAX_FILE_BYTES - 1) + "\n");
        assertEquals(ReadLimits.MAX_FILE_BYTES, ConfigurationBytes.decode("t.scm", atLimit).length());
        ReadException e = refused(bytes(";".repeat(ReadLimits.MAX_FILE_BYTES) + "\n"));
        assertEquals(new Position("t.scm", 1, 1), e.position());
        assertTrue(e.getMessage().startsWith("the file is larger than 1048576 bytes (1 MiB), virtsup's limit"), e.getMessage());
    }

    @Test
    void readingStopsJustPastTheLimit(@TempDir Path directory) throws IOException {
        Path big = directory.resolve("big.scm");
        Files.write(big, new byte[3 * ReadLimits.MAX_FILE_BYTES]);
        assertEquals(ReadLimits.MAX_FILE_BYTES + 1, ConfigurationBytes.read(big).length);
        // /dev/zero never ends: reading it must stop too
        assertEquals(ReadLimits.MAX_FILE_BYTES + 1, ConfigurationBytes.read(Path.of("/dev/zero")).length);
    }
}

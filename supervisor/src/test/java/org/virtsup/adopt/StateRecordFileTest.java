package org.virtsup.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.run.LogCapture;

class StateRecordFileTest {
    @TempDir
    Path directory;

    private StateRecordFile file() throws IOException {
        return new StateRecordFile(directory, (Integer) Files.getAttribute(directory, "unix:uid"));
    }

    @Test
    void writesOwnerOnlyAndReadsItBack() throws IOException {
        StateRecordFile file = file();
        file.write(Records.both());
        assertEquals(Optional.of(Records.both()), file.read());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        try (var listing = Files.list(directory)) {
            assertEquals(1, listing.count(), "no temporary file is left behind");
        }
    }

    @Test
    void noFileIsNothingToAdoptAndNoWarning() throws IOException {
        try (LogCapture log = new LogCapture("virtsup")) {
            assertEquals(Optional.empty(), file().read());
            assertEquals(java.util.List.of(), log.messages());
        }
    }

    @Test
    void aDamagedFileIsNothingToAdoptWithTheReason() throws IOException {
        StateRecordFile file = file();
        Files.writeString(file.path(), Records.both().render().replace("pid=812", "pid=8x2"));
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-------"));
        assertRefused(file, "damaged or not virtsup's (line 3: pid is not a number: \"8x2\")");
    }

    @Test
    void aFileCutShortIsNothingToAdopt() throws IOException {
        StateRecordFile file = file();
        file.write(Records.both());
        String text = Files.readString(file.path());
        Files.writeString(file.path(), text.substring(0, text.length() - 20));
        assertRefused(file, "a file cut short");
    }

    @Test
    void aFileOthersCanWriteIsNotTrusted() throws IOException {
        StateRecordFile file = file();
        file.write(Records.both());
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertRefused(file, "is writable by others than its owner");
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        StateRecordFile elsewhere = new StateRecordFile(Files.createDirectory(directory.resolve("elsewhere")),
                (Integer) Files.getAttribute(directory, "unix:uid"));
        elsewhere.write(Records.both());
        StateRecordFile file = file();
        Files.createSymbolicLink(file.path(), elsewhere.path());
        assertRefused(file, "is not a regular file");
    }

    @Test
    void anotherOwnersFileIsNotTrusted() throws IOException {
        int me = (Integer) Files.getAttribute(directory, "unix:uid");
        new StateRecordFile(directory, me).write(Records.both());
        assertRefused(new StateRecordFile(directory, me + 1), "belongs to uid " + me + ", not " + (me + 1));
    }

    @Test
    void aHugeFileIsNotRead() throws IOException {
        StateRecordFile file = file();
        Files.write(file.path(), new byte[StateRecord.MAX_BYTES + 1]);
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-------"));
        assertRefused(file, "is bigger than");
    }

    @Test
    void bytesThatAreNotUtf8AreNothingToAdopt() throws IOException {
        StateRecordFile file = file();
        Files.write(file.path(), new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-------"));
        assertRefused(file, "not UTF-8 text");
    }

    private static void assertRefused(StateRecordFile file, String reason) {
        try (LogCapture log = new LogCapture("virtsup")) {
            assertEquals(Optional.empty(), file.read());
            String text = String.join("\n", log.messages());
            assertTrue(text.contains(reason) && text.contains("no daemon is adopted"), text);
        }
    }
}

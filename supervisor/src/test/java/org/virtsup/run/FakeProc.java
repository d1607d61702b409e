package org.virtsup.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.virtsup.adopt.ProcessIdentity;

/** A /proc in a test directory: the stat, exe and cmdline of the processes a test makes up. */
final class FakeProc {
    final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    /** Process {@code process} as /proc would show it (replacing what was there). */
    FakeProc add(ProcessIdentity process) {
        Path dir = root.resolve(Integer.toString(process.pid()));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("stat"), process.pid() + " (" + Path.of(process.executable()).getFileName()
                    + ") S 1 " + process.pid() + " " + process.pid() + " 0 -1 4194560 1 0 0 0 2 3 0 0 20 0 18 0 "
                    + process.startTime() + " 1000 5 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n");
            Files.deleteIfExists(dir.resolve("exe"));
            Files.createSymbolicLink(dir.resolve("exe"), Path.of(process.executable()));
            Files.write(dir.resolve("cmdline"), (String.join("\0", process.commandLine()) + "\0")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    static ProcessIdentity process(int pid, long startTime, String executable, String... arguments) {
        return new ProcessIdentity(pid, startTime, executable, List.of(arguments));
    }
}

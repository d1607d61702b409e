package org.virtsup.posix;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link IgnoredChildSignalTest} in a JVM started with SIGCHLD
 * ignored: JnrPosix must still report a child's exit. Exits 0 when it does,
 * 2 when the JVM did not inherit the ignored SIGCHLD (nothing was shown).
 */
public final class IgnoredChildSignalCheck {
    private IgnoredChildSignalCheck() {}

    public static void main(String[] args) throws Exception {
        if ((ignoredSignals() & (1L << (Signals.CHLD - 1))) == 0) {
            System.err.println("SIGCHLD is not ignored in this JVM");
            System.exit(2);
        }
        Posix posix = new JnrPosix();
        int pid = posix.spawn(SpawnSpec.of("/bin/sh", "sh", "-c", "exit 7"));
        ChildExit exit = posix.waitAny();
        if (!exit.equals(new ChildExit(pid, new ExitStatus.Exited(7)))) {
            System.err.println("expected pid " + pid + " exited with code 7, got " + exit.describe());
            System.exit(1);
        }
        System.exit(0);
    }

    private static long ignoredSignals() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        throw new IllegalStateException("no SigIgn in /proc/self/status");
    }
}

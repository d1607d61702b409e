package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A supervisor started by a parent that ignores SIGCHLD (the disposition
 * survives exec) must still see its children's exits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IgnoredChildSignalTest {
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void waitAnyReportsExitsEvenWhenStartedWithSigchldIgnored() {
        // dash's trap '' CHLD does not reach the kernel; python's signal() does.
        assumeTrue(Files.isExecutable(Path.of(PYTHON)) || "1".equals(System.getenv("VIRTSUP_FULL_TESTS")),
                PYTHON + " is needed to start a JVM with SIGCHLD ignored");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Posix posix = new JnrPosix();
        int pid = posix.spawn(new SpawnSpec(PYTHON, List.of("python3", "-c",
                "import os, signal, sys\n"
                        + "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                        + "os.execv(sys.argv[1], sys.argv[1:])\n",
                java, "-cp", System.getProperty("java.class.path"), IgnoredChildSignalCheck.class.getName()),
                Map.of("PATH", "/usr/bin:/bin"), -1, -1, 2));
        ChildExit exit;
        do {
            exit = posix.waitAny();
        } while (exit.pid() != pid);
        assertEquals(new ExitStatus.Exited(0), exit.status(), "the check failed (2: SIGCHLD was not ignored): see above");
    }
}

package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CLI client uses the seam's values (exit statuses, signal names, errors)
 * and must start without jnr: a JVM whose class path holds only our classes
 * runs {@link JnrFreeApiCheck}, which touches all of them and the fake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JnrFreeApiTest {

    @Test
    void theValuesLoadWithoutJnr() throws Exception {
        Path classes = Path.of(Posix.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(JnrFreeApiCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Posix posix = new JnrPosix();
        int pid = posix.spawn(new SpawnSpec(java,
                List.of("java", "-Xshare:auto", "-cp", classes + ":" + testClasses, JnrFreeApiCheck.class.getName()),
                Map.of("PATH", "/usr/bin:/bin"), -1, -1, 2));
        ChildExit exit;
        do {
            exit = posix.waitAny();
        } while (exit.pid() != pid);
        assertEquals(new ExitStatus.Exited(0), exit.status(), "the check failed: see its output above");
    }
}

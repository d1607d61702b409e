package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How virtsup finds its own command again: the launcher when it says where it is, else the JVM's command line. */
class ExecCommandTest {
    private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    private static final List<String> JVM = List.of("java", "-Xmx64m", "-Dvirtsup.launcher=/usr/bin/virtsup",
            "-cp", "/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*", "org.virtsup.cli.Main",
            "run", "--config", "/etc/virtsup/config.scm");

    @Test
    void theLauncherRunsTheInstalledCodeWithTheSameArguments() throws IOException {
        ExecCommand command = ExecCommand.of(JAVA, JVM, Optional.of("/usr/bin/virtsup"));
        assertEquals("/usr/bin/virtsup", command.path());
        assertEquals(List.of("/usr/bin/virtsup", "run", "--config", "/etc/virtsup/config.scm"), command.runArgv());
        assertEquals(List.of("/usr/bin/virtsup", "check", "--config", "/etc/virtsup/config.scm"), command.checkArgv());
    }

    @Test
    void withoutALauncherTheSameJvmCommandLineRunsAgain() throws IOException {
        ExecCommand command = ExecCommand.of(JAVA, JVM, Optional.empty());
        assertEquals(JAVA, command.path());
        assertEquals(JVM, command.runArgv());
        assertEquals(JVM.subList(0, 6), command.checkArgv().subList(0, 6));
        assertEquals(List.of("check", "--config", "/etc/virtsup/config.scm"), command.checkArgv().subList(6, 9));
        ExecCommand jar = ExecCommand.of(JAVA, List.of("java", "-jar", "/opt/virtsup.jar", "run"), Optional.empty());
        assertEquals(List.of("java", "-jar", "/opt/virtsup.jar", "check"), jar.checkArgv());
        // A relative launcher path cannot be executed from wherever virtsup runs: the JVM's line is used.
        assertEquals(JAVA, ExecCommand.of(JAVA, JVM, Optional.of("virtsup")).path());
    }

    @Test
    void aCommandLineWithoutVirtsupsRunIsRefused() {
        assertThrows(IOException.class, () -> ExecCommand.of(JAVA, List.of("java", "-cp", "x", "Other", "run"),
                Optional.empty()));
        assertThrows(IOException.class, () -> ExecCommand.of(JAVA, List.of("java", "-cp", "x", "org.virtsup.cli.Main",
                "status"), Optional.empty()));
        assertThrows(IOException.class, () -> ExecCommand.of(JAVA, List.of("java", "-jar"), Optional.empty()));
    }
}

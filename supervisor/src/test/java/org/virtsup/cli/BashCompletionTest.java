package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** packaging/completion/virtsup, run by bash on typical command lines. */
@Timeout(60)
class BashCompletionTest {
    private static final Path SCRIPT = Path.of("..", "packaging", "completion", "virtsup").toAbsolutePath();
    private static final Path BASH = Path.of("/bin/bash");

    /** What the completion offers for the words typed so far (the last one being completed). */
    private static String complete(String... words) throws Exception {
        if (!Files.isExecutable(BASH)) {
            if ("1".equals(System.getenv("VIRTSUP_FULL_TESTS"))) {
                throw new AssertionError("bash is missing: apt-get install bash");
            }
            Assumptions.abort("bash is missing");
        }
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word).append('\'');
        }
        String script = "source '" + SCRIPT + "'\n"
                + "COMP_WORDS=(" + array + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMPREPLY=()\n"
                + "_virtsup\n"
                + "echo \"${COMPREPLY[*]}\"\n";
        Process bash = new ProcessBuilder(BASH.toString(), "--norc", "--noprofile", "-c", script)
                .redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }

    @Test
    void offersTheCommandsFirst() throws Exception {
        String commands = complete("virtsup", "");
        for (String command : ControlCommands.names()) {
            assertTrue(List.of(commands.split(" ")).contains(command), commands);
        }
        assertEquals("status start stop", complete("virtsup", "st"));
    }

    @Test
    void offersDaemonsSignalsAndOptions() throws Exception {
        assertEquals("libvirtd virtlogd", complete("virtsup", "status", ""));
        assertEquals("libvirtd", complete("virtsup", "restart", "lib"));
        assertEquals("", complete("virtsup", "restart", "libvirtd", ""), "one daemon only");
        assertEquals("USR1 USR2", complete("virtsup", "signal", "virtlogd", "us"));
        assertEquals("HUP", complete("virtsup", "--socket", "/run/x.sock", "signal", "libvirtd", "h"));
        assertEquals("--socket --json --timeout --help -n", complete("virtsup", "log", "virtlogd", "-"));
    }
}

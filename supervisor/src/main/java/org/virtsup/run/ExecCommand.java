package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtsup.adopt.ProcessIdentity;

/**
 * How to start the installed virtsup again in place of this one: through the
 * launcher that started it (so that a new launcher's JVM flags and a new
 * JDK are taken up too), else the same JVM command line (a new jar at the
 * same path is still the new code). Either way with this virtsup's own
 * arguments, {@code run [--config FILE]}.
 *
 * @param path      the program to execute
 * @param prefix    its argv up to the command, argv[0] included
 * @param arguments virtsup's arguments, the command {@code run} first
 */
record ExecCommand(String path, List<String> prefix, List<String> arguments) {
    /** Set by the launcher for {@code run}: its own absolute path. */
    static final String LAUNCHER_PROPERTY = "virtsup.launcher";
    private static final String MAIN_CLASS = "org.virtsup.cli.Main";

    ExecCommand {
        prefix = List.copyOf(prefix);
        arguments = List.copyOf(arguments);
        if (arguments.isEmpty() || !arguments.get(0).equals("run")) {
            throw new IllegalArgumentException("virtsup's arguments do not start with run: " + arguments);
        }
    }

    /** The argv that runs virtsup again. */
    List<String> runArgv() {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(arguments);
        return argv;
    }

    /** The argv that checks, with the installed code, the configuration the same arguments name. */
    List<String> checkArgv() {
        List<String> argv = new ArrayList<>(prefix);
        argv.add("check");
        argv.addAll(arguments.subList(1, arguments.size()));
        return argv;
    }

    /** This process's command (process {@code pid} in {@code proc}), the launcher's if it said where it is. */
    static ExecCommand ofThisProcess(Path proc, int pid) {
        try {
            return of(proc, pid, Optional.ofNullable(System.getProperty(LAUNCHER_PROPERTY)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    /** This process's command, as {@code proc} shows process {@code pid}. */
    static ExecCommand of(Path proc, int pid, Optional<String> launcher) throws IOException {
        ProcessIdentity self = ProcessIdentity.read(proc, pid)
                .orElseThrow(() -> new IOException("cannot read virtsup's own command line in " + proc));
        return of(self.executable(), self.commandLine(), launcher);
    }

    static ExecCommand of(String executable, List<String> commandLine, Optional<String> launcher)
            throws IOException {
        int main = commandLine.indexOf(MAIN_CLASS);
        if (main < 0) {
            int jar = commandLine.indexOf("-jar");
            main = jar < 0 || jar + 1 >= commandLine.size() ? -1 : jar + 1;
        }
        if (main < 0 || main + 1 >= commandLine.size() || !commandLine.get(main + 1).equals("run")) {
            throw new IOException("cannot find virtsup's own arguments in its command line " + commandLine);
        }
        List<String> arguments = commandLine.subList(main + 1, commandLine.size());
        if (launcher.isPresent() && launcher.get().startsWith("/")) {
            return new ExecCommand(launcher.get(), List.of(launcher.get()), arguments);
        }
        return new ExecCommand(executable, commandLine.subList(0, main + 1), arguments);
    }
}

package org.virtsup.posix;

import java.util.List;
import java.util.Map;

/**
 * What to start: an absolute program path (no PATH search), its full argv
 * (argv[0] included), its whole environment, and the parent's descriptors
 * that become the child's 0, 1 and 2 (-1 = /dev/null).
 */
public record SpawnSpec(String path, List<String> argv, Map<String, String> environment,
                        int stdin, int stdout, int stderr) {

    public SpawnSpec {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("spawn needs an absolute program path, got: " + path);
        }
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("spawn " + path + ": argv must hold at least argv[0]");
        }
        environment = Map.copyOf(environment);
        for (String argument : argv) {
            if (argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("spawn " + path + ": argument contains a NUL byte");
            }
        }
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            String name = variable.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0
                    || variable.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException(
                        "spawn " + path + ": invalid environment variable name or value: " + name);
            }
        }
        for (int fd : new int[] {stdin, stdout, stderr}) {
            if (fd < -1) {
                throw new IllegalArgumentException("spawn " + path + ": descriptor " + fd + " (use -1 for /dev/null)");
            }
        }
    }

    /** A program with its argv, an empty environment and all of 0-2 on /dev/null. */
    public static SpawnSpec of(String path, String... argv) {
        return new SpawnSpec(path, List.of(argv), Map.of(), -1, -1, -1);
    }

    public SpawnSpec withEnvironment(Map<String, String> newEnvironment) {
        return new SpawnSpec(path, argv, newEnvironment, stdin, stdout, stderr);
    }

    public SpawnSpec withStdio(int newStdin, int newStdout, int newStderr) {
        return new SpawnSpec(path, argv, environment, newStdin, newStdout, newStderr);
    }

    /** {@code NAME=value} strings, sorted for a stable child environment. */
    List<String> environmentStrings() {
        return environment.entrySet().stream()
                .map(variable -> variable.getKey() + "=" + variable.getValue())
                .sorted()
                .toList();
    }
}

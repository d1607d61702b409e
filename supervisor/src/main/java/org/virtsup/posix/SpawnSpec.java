package org.virtsup.posix;

import java.util.List;
import java.util.Map;

/**
 * What to start: an absolute program path (no PATH search), its full argv
 * (argv[0] included), its whole environment, the parent's descriptors that
 * become the child's 0, 1 and 2 (-1 = /dev/null), and the parent's
 * descriptors {@code passed} on as the child's 3, 4, ... in that order (as
 * systemd hands sockets over: LISTEN_FDS counts them from 3).
 */
public record SpawnSpec(String path, List<String> argv, Map<String, String> environment,
                        int stdin, int stdout, int stderr, List<Integer> passed) {

    /** Nothing passed beyond 0-2. */
    public SpawnSpec(String path, List<String> argv, Map<String, String> environment, int stdin, int stdout,
                     int stderr) {
        this(path, argv, environment, stdin, stdout, stderr, List.of());
    }

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
        passed = List.copyOf(passed);
        for (int fd : passed) {
            if (fd < 0) {
                throw new IllegalArgumentException("spawn " + path + ": cannot pass descriptor " + fd);
            }
        }
        if (passed.stream().distinct().count() != passed.size()) {
            throw new IllegalArgumentException("spawn " + path + ": a descriptor is passed twice: " + passed);
        }
    }

    /** A program with its argv, an empty environment and all of 0-2 on /dev/null. */
    public static SpawnSpec of(String path, String... argv) {
        return new SpawnSpec(path, List.of(argv), Map.of(), -1, -1, -1);
    }

    public SpawnSpec withEnvironment(Map<String, String> newEnvironment) {
        return new SpawnSpec(path, argv, newEnvironment, stdin, stdout, stderr, passed);
    }

    public SpawnSpec withStdio(int newStdin, int newStdout, int newStderr) {
        return new SpawnSpec(path, argv, environment, newStdin, newStdout, newStderr, passed);
    }

    /** The same, with {@code descriptors} becoming the child's 3, 4, ... */
    public SpawnSpec withPassed(List<Integer> descriptors) {
        return new SpawnSpec(path, argv, environment, stdin, stdout, stderr, descriptors);
    }

    /** {@code NAME=value} strings, sorted for a stable child environment. */
    List<String> environmentStrings() {
        return environment.entrySet().stream()
                .map(variable -> variable.getKey() + "=" + variable.getValue())
                .sorted()
                .toList();
    }
}

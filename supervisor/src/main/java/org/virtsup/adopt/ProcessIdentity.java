package org.virtsup.adopt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What names one process for good, as /proc shows it: a pid alone may be
 * reused, a pid with its start time (field 22 of {@code /proc/PID/stat}, clock
 * ticks since boot) may not; the executable and command line tell a daemon
 * from whatever else got the pid.
 *
 * @param pid         the process
 * @param startTime   field 22 of its stat line
 * @param executable  where {@code /proc/PID/exe} points
 * @param commandLine its arguments, {@code /proc/PID/cmdline} split at NUL
 */
public record ProcessIdentity(int pid, long startTime, String executable, List<String> commandLine) {
    public ProcessIdentity {
        Objects.requireNonNull(executable, "executable");
        commandLine = List.copyOf(commandLine);
        if (pid <= 0) {
            throw new IllegalArgumentException("a pid is positive, not " + pid);
        }
        if (startTime < 0) {
            throw new IllegalArgumentException("a start time is not negative, not " + startTime);
        }
    }

    /** Process {@code pid} as {@code proc} (normally /proc) shows it; empty when it is gone or unreadable. */
    public static Optional<ProcessIdentity> read(Path proc, int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            long startTime = startTime(Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8));
            String executable = Files.readSymbolicLink(dir.resolve("exe")).toString();
            List<String> commandLine = arguments(Files.readAllBytes(dir.resolve("cmdline")));
            return Optional.of(new ProcessIdentity(pid, startTime, executable, commandLine));
        } catch (IOException | IllegalArgumentException gone) {
            // Gone meanwhile, a kernel thread (no exe), or a stat line this parser does not know.
            return Optional.empty();
        }
    }

    /** Process {@code pid}'s parent (field 4 of its stat line); empty when it is gone or unreadable. */
    public static java.util.OptionalInt parentOf(Path proc, int pid) {
        try {
            return java.util.OptionalInt.of((int) statField(Files.readString(proc.resolve(Integer.toString(pid))
                    .resolve("stat"), StandardCharsets.UTF_8), 4));
        } catch (IOException | IllegalArgumentException gone) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * Field 22 of a stat line. The command name (field 2) is in parentheses
     * and may hold spaces and parentheses: fields are counted after its last ')'.
     */
    static long startTime(String statLine) {
        return statField(statLine, 22);
    }

    private static long statField(String statLine, int field) {
        int close = statLine.lastIndexOf(')');
        if (close < 0 || close + 2 > statLine.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        String[] rest = statLine.substring(close + 2).strip().split(" ");
        if (rest.length < 22 - 2) {
            throw new IllegalArgumentException("a /proc/PID/stat line with " + (rest.length + 2) + " fields");
        }
        return Long.parseLong(rest[field - 3]); // rest[0] is field 3
    }

    /** /proc/PID/cmdline: arguments each ended by NUL. */
    static List<String> arguments(byte[] cmdline) {
        List<String> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                arguments.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            arguments.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
        }
        return arguments;
    }
}

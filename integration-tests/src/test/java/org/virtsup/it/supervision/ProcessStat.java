package org.virtsup.it.supervision;

import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} these tests read: state (field 3),
 * parent pid (4) and start time in clock ticks since boot (22). The command
 * name (field 2) is in parentheses and may hold spaces or parentheses, so
 * the fields are counted after its last {@code ')'}.
 */
record ProcessStat(int pid, char state, int parentPid, long startTime) {

    static ProcessStat parse(String line) {
        int open = line.indexOf(" (");
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new AssertionError("not a /proc/PID/stat line: " + line);
        }
        String[] rest = line.substring(close + 2).trim().split(" ");
        // rest[0] is field 3, so field N is rest[N - 3].
        return new ProcessStat(Integer.parseInt(line.substring(0, open).trim()), rest[0].charAt(0),
                Integer.parseInt(rest[1]), Long.parseLong(rest[22 - 3]));
    }

    /** The process's stat in the container, empty when there is no such process (not even a zombie). */
    static Optional<ProcessStat> of(SupervisorContainer host, int pid) {
        var read = host.exec("cat", "/proc/" + pid + "/stat");
        return read.succeeded() ? Optional.of(parse(read.stdout())) : Optional.empty();
    }

    boolean zombie() {
        return state == 'Z';
    }
}

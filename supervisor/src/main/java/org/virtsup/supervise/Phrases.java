package org.virtsup.supervise;

import java.time.Duration;

/** The wording of the journal: durations and process names the way users read them. */
final class Phrases {
    private Phrases() {}

    /** {@code libvirtd (pid 123)}, or {@code libvirtd} before its pid is known. */
    static String process(Daemon daemon, int pid) {
        return pid == DaemonState.NO_PID ? daemon.programName() : daemon.programName() + " (pid " + pid + ")";
    }

    /**
     * {@code 0.3 s}, {@code 4 s}, {@code 90 s}, {@code 5 min}, {@code 2 min 30 s}.
     * Tenths are rounded half up, as {@code %.1f} rounds, by integer
     * arithmetic: a Formatter's first floating-point conversion loads the
     * JDK's locale data (some 70 classes, 0.3 MiB that stay resident, measured
     * on JDK 17), on run's launch for the line that says virtlogd is ready.
     */
    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis > -10_000 && millis < 10_000 && millis % 1000 != 0) {
            long tenths = (Math.abs(millis) + 50) / 100;
            return (millis < 0 ? "-" : "") + tenths / 10 + "." + tenths % 10 + " s";
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        long rest = seconds % 60;
        return rest == 0 ? minutes + " min" : minutes + " min " + rest + " s";
    }

    /** {@code 1 start}, {@code 3 starts}. */
    static String starts(int count) {
        return count == 1 ? "1 start" : count + " starts";
    }
}

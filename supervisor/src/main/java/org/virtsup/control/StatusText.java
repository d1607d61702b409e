package org.virtsup.control;

import org.virtsup.supervise.Phase;
import java.time.Instant;

/**
 * {@code virtsup status} for people: a header for virtsup, then one compact
 * block per daemon, in the spirit of {@code systemctl status} and
 * {@code sv status}. Plain ASCII so it reads the same under any locale.
 * Loops rather than lambdas: each lambda costs the CLI a generated class at
 * start-up.
 *
 * <pre>
 * virtsup   pid 812, up 2h 3m, version 0.1.0
 *           config /etc/virtsup/virtsup.scm (running configuration matches the file)
 *
 * virtlogd  RUNNING, ready, pid 901, up 2h 3m, 0 restarts
 *
 * libvirtd  BACKOFF (wanted up), 3 restarts, next try in 8 s
 *           last exit: exited with code 1, 2026-11-26 10:14:02 UTC (2m 8s ago)
 *           output:
 *             | error : virNetSocketNewListenUNIX:... Address already in use
 * </pre>
 */
public final class StatusText {
    private StatusText() {}

    public static String render(StatusReport report, Instant now) {
        StringBuilder out = new StringBuilder();
        StatusReport.Virtsup s = report.virtsup();
        int width = "virtsup".length();
        for (StatusReport.Daemon d : report.daemons()) {
            width = Math.max(width, d.name().length());
        }
        width += 2;
        String indent = " ".repeat(width);
        out.append(pad("virtsup", width)).append("pid ").append(s.pid()).append(", up ")
                .append(duration(s.uptimeSeconds())).append(", version ").append(s.version())
                .append(s.reexecs() == 0 ? "" : ", re-executed " + s.reexecs() + (s.reexecs() == 1 ? " time" : " times"))
                .append('\n');
        out.append(indent).append("config ");
        if (s.configFile().isEmpty()) {
            out.append("embedded default (no configuration file)\n");
        } else {
            out.append(s.configFile().get()).append(s.configMatchesFile()
                    ? " (running configuration matches the file)\n"
                    : " (CHANGED since loaded: virtsup reload applies it)\n");
        }
        for (String problem : s.reloadProblems()) {
            out.append(indent).append("reload refused: ").append(problem).append('\n');
        }
        for (StatusReport.Daemon d : report.daemons()) {
            out.append('\n').append(pad(d.name(), width)).append(headline(d)).append('\n');
            if (d.lastExit().isPresent()) {
                StatusReport.LastExit e = d.lastExit().get();
                out.append(indent).append("last exit: ").append(e.description())
                        .append(", ").append(UtcTime.format(e.at())).append(" (")
                        .append(duration(Math.max(0, now.getEpochSecond() - e.at().getEpochSecond())))
                        .append(" ago)\n");
            }
            for (String warning : d.warnings()) {
                out.append(indent).append("warning: ").append(warning).append('\n');
            }
            for (StatusReport.Socket socket : d.sockets()) {
                out.append(indent).append("socket ").append(socket.address()).append(" (").append(socket.name())
                        .append(", inode ").append(socket.inode()).append("): ")
                        .append(socket.listening() ? "listening" : "not listening").append('\n');
            }
            if (!d.lastOutputLines().isEmpty()) {
                out.append(indent).append("output:\n");
                for (String line : d.lastOutputLines()) {
                    out.append(indent).append("  | ").append(line).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** One line: state, readiness, pid, uptime, restarts, next retry. */
    static String headline(StatusReport.Daemon d) {
        StringBuilder line = new StringBuilder(d.state().name());
        boolean mismatch = (d.wanted() == Wanted.UP) != (d.state() == Phase.RUNNING
                || d.state() == Phase.STARTING);
        if (mismatch) {
            line.append(" (wanted ").append(d.wanted().wireName()).append(')');
        }
        if (d.state() == Phase.RUNNING) {
            line.append(d.ready() ? ", ready" : ", NOT ready");
        }
        if (d.pid().isPresent()) {
            line.append(", pid ").append(d.pid().getAsInt());
        }
        if (d.uptimeSeconds().isPresent()) {
            line.append(", up ").append(duration(d.uptimeSeconds().getAsLong()));
        }
        line.append(", ").append(d.restarts()).append(d.restarts() == 1 ? " restart" : " restarts");
        if (d.nextRetryInSeconds().isPresent()) {
            line.append(", next try in ").append(duration(d.nextRetryInSeconds().getAsLong()));
        }
        return line.toString();
    }

    /** {@code 45s}, {@code 2m 8s}, {@code 2h 3m}, {@code 3d 4h}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + "m " + seconds % 60 + "s";
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return hours + "h " + minutes % 60 + "m";
        }
        return hours / 24 + "d " + hours % 24 + "h";
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(1, width - text.length()));
    }
}

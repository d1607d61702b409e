package org.virtsup.host;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.posix.ExitStatus;
import org.virtsup.posix.Pipe;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;
import org.virtsup.posix.Signals;
import org.virtsup.posix.SpawnSpec;

/**
 * Asks an installed libvirtd its version ({@code libvirtd --version}), through
 * the POSIX seam like every process virtsup starts. The child gets a deadline
 * for its answer and its exit; past it, it is killed and reaped.
 *
 * <p>The child is reaped with {@link Posix#waitPid} of its own pid, which can
 * never take a daemon's exit from virtsup's reaper. The reverse could happen:
 * a reaper blocked in {@link Posix#waitAny()} would reap this child first, and
 * the answer would be lost. So it is asked only where no reaper runs: in the
 * CLI, and in {@code run} before its reaper starts.
 */
public final class LibvirtdVersion {
    /** How long libvirtd may take to answer and end. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_OUTPUT = 4096;

    /** What libvirtd said: a version, or why there is none. */
    public sealed interface Answer {
        /** The version, if libvirtd gave one. */
        default Optional<LibvirtVersion> known() {
            return this instanceof Known known ? Optional.of(known.version()) : Optional.empty();
        }
    }

    public record Known(LibvirtVersion version) implements Answer {}

    /** {@code why}: e.g. "/usr/sbin/libvirtd --version gave no answer within 10 s: killed". */
    public record Unknown(String why) implements Answer {}

    private final Posix posix;
    private final Duration timeout;

    public LibvirtdVersion(Posix posix) {
        this(posix, TIMEOUT);
    }

    LibvirtdVersion(Posix posix, Duration timeout) {
        this.posix = posix;
        this.timeout = timeout;
    }

    public Answer ask(String libvirtdPath) {
        String command = libvirtdPath + " --version";
        Pipe output = posix.pipe();
        int pid;
        try {
            pid = posix.spawn(SpawnSpec.of(libvirtdPath, libvirtdPath, "--version").withStdio(-1, output.writeFd(), -1));
        } catch (PosixException e) {
            posix.close(output.readFd());
            return new Unknown(command + " cannot run: " + e.getMessage()); // not installed there, or not executable
        } catch (IllegalArgumentException e) {
            posix.close(output.readFd());
            return new Unknown(command + " cannot run: " + e.getMessage()); // a relative path
        } finally {
            posix.close(output.writeFd()); // the child holds the only write end: its exit is our end of file
        }
        try {
            return answer(command, pid, output.readFd());
        } catch (PosixException e) {
            // ECHILD: a reaper took the child's exit; this class must not run beside one.
            return new Unknown(command + ": " + e.getMessage());
        } finally {
            posix.close(output.readFd());
        }
    }

    private Answer answer(String command, int pid, int readFd) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        byte[] buffer = new byte[MAX_OUTPUT];
        int count = -1;
        while (count != 0) {
            if (!posix.awaitReadable(readFd, millisUntil(deadline))) {
                return killed(command, pid, "gave no answer within " + within());
            }
            count = posix.read(readFd, buffer);
            said.write(buffer, 0, count);
            if (said.size() > MAX_OUTPUT) {
                return killed(command, pid, "said more than " + MAX_OUTPUT + " bytes");
            }
        }
        if (!endsBy(pid, deadline)) {
            return killed(command, pid, "closed its output but did not exit within " + within());
        }
        ExitStatus status = posix.waitPid(pid);
        String text = said.toString(StandardCharsets.UTF_8);
        if (!(status instanceof ExitStatus.Exited exited) || exited.code() != 0) {
            return new Unknown(command + " " + status.describe());
        }
        return LibvirtVersion.fromVersionOutput(text).<Answer>map(Known::new).orElseGet(() ->
                new Unknown(command + " answered no version number: \"" + printable(text) + "\""));
    }

    /**
     * The end of file may come a little before the exit: a pidfd bounds that
     * wait too. Without pidfds (Linux before 5.3) the wait is waitPid's, unbounded.
     */
    private boolean endsBy(int pid, long deadline) {
        int pidfd;
        try {
            pidfd = posix.pidfdOpen(pid);
        } catch (PosixException e) {
            return true;
        }
        try {
            return posix.awaitPidfd(pidfd, millisUntil(deadline));
        } finally {
            posix.close(pidfd);
        }
    }

    private Answer killed(String command, int pid, String what) {
        posix.kill(pid, Signals.KILL);
        posix.waitPid(pid);
        return new Unknown(command + " " + what + ": killed");
    }

    /** "10 s", or "200 ms" for the short deadlines of tests. */
    private String within() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static int millisUntil(long deadline) {
        return (int) Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
    }

    /** At most a line's worth, with control characters shown as '?': it came from a program we do not trust. */
    private static String printable(String text) {
        String line = text.strip();
        line = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return line.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}

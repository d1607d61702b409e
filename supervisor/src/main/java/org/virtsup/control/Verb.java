package org.virtsup.control;

import java.util.Optional;
import java.util.StringJoiner;

/**
 * The one table of the control commands: the word, who may use it, what it
 * takes, the line of {@code virtsup --help} and the text of its own
 * {@code --help}. The command line, the wire protocol and the help are all
 * read off it; the supervisor's handler for each is its {@link Request} record.
 */
public enum Verb {
    STATUS("status", false, Operands.OPTIONAL_NAME,
            "show virtsup and its daemons (exit 3 when a wanted one is not running)", """
            Shows virtsup (pid, uptime, configuration file and whether the running configuration
            matches it) and each daemon (state, pid, uptime, readiness, restarts, last exit, and
            for a failing daemon its last output lines), or only daemon NAME.
            Exit status: 0 every daemon wanted up (or daemon NAME) is running and ready,
            3 one is not, 4 virtsup does not answer.
            """),
    START("start", true, Operands.NAME, "start a daemon and wait until it is ready", """
            Starts daemon NAME and waits until it is running and ready, or failed (the reason is
            printed). Needs root or membership in the control group.
            """),
    STOP("stop", true, Operands.NAME, "stop a daemon and wait until it exited", """
            Stops daemon NAME (TERM, then KILL after the stop-timeout) and waits until it exited.
            Guests keep running. Needs root or membership in the control group.
            """),
    RESTART("restart", true, Operands.NAME, "restart a daemon and wait until it is ready again", """
            Stops then starts daemon NAME and waits until it is ready again.
            Needs root or membership in the control group.
            """),
    RELOAD("reload", true, Operands.OPTIONAL_NAME, "re-read the configuration file, or reload one daemon", """
            Without NAME: re-reads the configuration file and applies it, as SIGHUP to virtsup
            does (exit 78 when the file is invalid: nothing is changed). reload virtlogd:
            virtlogd re-executes itself in place (SIGUSR1, same pid). reload libvirtd: SIGHUP.
            Needs root or membership in the control group.
            """),
    SIGNAL("signal", true, Operands.NAME_AND_SIGNAL, "send a signal to a daemon", """
            Sends SIGNAL (HUP, USR1, TERM, SIGKILL, 15, ...) to daemon NAME's own process.
            Needs root or membership in the control group.
            """),
    // A constant expression (the two limits are constants): no formatting at class initialisation.
    LOG("log", false, Operands.NAME_AND_LINES, "show a daemon's last output lines", "Prints the last LINES (default "
            + Request.Log.DEFAULT_LINES + ", at most " + Request.Log.MAX_LINES + ") lines daemon NAME wrote.\n"),
    REEXEC("reexec", true, Operands.NONE, "replace the running virtsup by the installed one, daemons untouched", """
            Replaces the running virtsup by the installed one in place: the same pid (PID 1 in a
            container, the unit's main pid under systemd), a new JVM with the installed code, the
            same libvirtd and virtlogd processes, their sockets held throughout. First the new code
            checks the configuration in force; if it cannot, nothing changes and the reason is
            printed. Waits until the new virtsup answers with every wanted daemon ready.
            Exit status: 0 done, 1 refused or not re-executed in time, 3 re-executed but a wanted
            daemon is not ready in time, 4 virtsup does not answer.
            Needs root or membership in the control group.
            """);

    /** What a command takes after its options. */
    public enum Operands {
        OPTIONAL_NAME("[NAME]"),
        NAME("NAME"),
        NAME_AND_SIGNAL("NAME SIGNAL"),
        NAME_AND_LINES("NAME [-n LINES]"),
        NONE("");

        private final String synopsis;

        Operands(String synopsis) {
            this.synopsis = synopsis;
        }

        public String synopsis() {
            return synopsis;
        }
    }

    private final String word;
    private final boolean mutating;
    private final Operands operands;
    private final String summary;
    private final String description;

    Verb(String word, boolean mutating, Operands operands, String summary, String description) {
        this.word = word;
        this.mutating = mutating;
        this.operands = operands;
        this.summary = summary;
        this.description = description;
    }

    /** The word on the command line and on the wire. */
    public String word() {
        return word;
    }

    /** Whether it changes something: root or the control group only. Status and log are for anyone. */
    public boolean mutating() {
        return mutating;
    }

    public Operands operands() {
        return operands;
    }

    /** One line for {@code virtsup --help}. */
    public String summary() {
        return summary;
    }

    /** What it does, for its own {@code --help}. */
    public String description() {
        return description;
    }

    // Loops, not streams: the CLI runs these once per start, where each lambda costs a generated class.
    public static Optional<Verb> named(String word) {
        for (Verb verb : values()) {
            if (verb.word.equals(word)) {
                return Optional.of(verb);
            }
        }
        return Optional.empty();
    }

    /** {@code status, start, stop, ...}: for messages naming what is known. */
    public static String known() {
        StringJoiner words = new StringJoiner(", ");
        for (Verb verb : values()) {
            words.add(verb.word);
        }
        return words.toString();
    }
}

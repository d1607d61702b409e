package org.virtsup.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * virtsup's command line: dispatch through the table of {@link Commands} and
 * the one place that turns failures into exit codes. Only the JDK and the
 * configuration model are loaded on the way to check, render and explain.
 */
public final class Main {
    private static final String USAGE = "usage: virtsup COMMAND [OPTIONS] (virtsup --help lists the commands)";

    private Main() {}

    public static void main(String[] args) {
        int code;
        boolean control = false;
        try {
            // The commands that talk to a running virtsup are the health probes' path, run every
            // few seconds: straight to the control socket, without the command table, the host's
            // facts or the configuration model, whose classes would cost each probe its start-up.
            // Same streams, environment and failure handling as through the table.
            control = args.length > 0 && ControlCommands.handles(args[0]);
            code = control
                    ? ControlCommands.run(args[0], Arrays.asList(args).subList(1, args.length), System.out, System.err,
                            System.getenv())
                    : run(args, Commands.invocation());
        } catch (Throwable e) {
            // The last resort: whatever failed is one line on stderr and a documented exit code, never a raw trace.
            code = fail(e, System.err);
        }
        System.out.flush();
        if (control) {
            // System.exit first asks the JDK's System.Logger whether to log the exit (JDK 21 on), and
            // finding that logger searches every jar on the class path: a fifth of a status call on
            // JDK 25. A control command registers no shutdown hook, so with its output flushed,
            // halting is the same exit without that search.
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /** Runs one command line; never throws, never exits: returns the exit code. */
    public static int run(String[] args, Invocation invocation) {
        try {
            return dispatch(Arrays.asList(args), invocation);
        } catch (RuntimeException | Error e) {
            // An Error too (a stack or heap exhausted, a class missing from a broken install): the
            // command has failed, and the user gets a message and an exit code, not a stack trace.
            return fail(e, invocation.err());
        }
    }

    private static int dispatch(List<String> args, Invocation invocation) {
        Map<String, Command> table = new LinkedHashMap<>();
        for (Command command : Commands.ALL) {
            table.put(command.name(), command);
        }
        if (args.isEmpty()) {
            throw new CliException.Usage("no command given", USAGE);
        }
        String first = args.get(0);
        if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
            invocation.out().print(help(table));
            return ExitCode.OK;
        }
        Command command = table.get(first);
        if (command == null) {
            String what = first.startsWith("-") ? "unknown option " + first : "unknown command '" + first + "'";
            String suggestion = first.startsWith("-") ? "" : org.virtsup.config.NameSuggestion.didYouMean(first, table.keySet());
            throw new CliException.Usage(what + suggestion, USAGE);
        }
        return command.run(args.subList(1, args.size()), invocation);
    }

    private static String help(Map<String, Command> table) {
        StringBuilder out = new StringBuilder("usage: virtsup COMMAND [OPTIONS]\n")
                .append("Supervises libvirtd and virtlogd, configured in GNU Guix's syntax.\n\nCommands:\n");
        for (Command command : table.values()) {
            out.append(String.format("  %-10s %s%n", command.name(), command.summary()));
        }
        out.append("\n'virtsup COMMAND --help' describes a command.\n")
                .append("Exit status: 0 ok, 1 failure, 2 usage, 3 a service is not running,\n")
                .append("4 the supervisor cannot be reached, 78 invalid configuration.\n");
        return out.toString();
    }

    /** The one place where a failure becomes an exit code and a message on stderr. */
    static int fail(Throwable failure, PrintStream err) {
        int code = exitCodeOf(failure);
        if (failure instanceof CliException.Usage usage) {
            err.println("virtsup: " + usage.getMessage());
            err.println(usage.usage());
        } else if (failure instanceof CliException) {
            if (failure.getMessage() != null) {
                err.println(failure.getMessage().contains(": error: ") ? failure.getMessage() : "virtsup: " + failure.getMessage());
            }
        } else if ("1".equals(System.getenv("VIRTSUP_DEBUG"))) {
            err.println("virtsup: internal error: " + failure);
            failure.printStackTrace(err);
        } else {
            err.println("virtsup: internal error: " + failure + " (VIRTSUP_DEBUG=1 shows where; please report it)");
        }
        return code;
    }

    /** Which exit code a failure means. */
    static int exitCodeOf(Throwable failure) {
        if (failure instanceof CliException.Usage) {
            return ExitCode.USAGE;
        }
        if (failure instanceof CliException.InvalidConfiguration) {
            return ExitCode.INVALID_CONFIGURATION;
        }
        return ExitCode.FAILURE;
    }
}

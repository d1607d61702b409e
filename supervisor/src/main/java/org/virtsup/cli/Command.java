package org.virtsup.cli;

import java.util.List;
import java.util.function.BiFunction;

/** One {@code virtsup COMMAND}. */
public interface Command {

    /** The word after {@code virtsup}. */
    String name();

    /** One line for {@code virtsup --help}. */
    String summary();

    /** {@code --help}'s text: a usage line, then what it does and its options. */
    String help();

    /** Runs with the arguments after the command's name; returns the exit code or throws a {@link CliException}. */
    int run(List<String> arguments, Invocation invocation);

    /**
     * A command from its parts, so that a command implemented elsewhere joins
     * Main's table in one line, e.g.
     * {@code Command.of("status", "show the daemons' states", help, (args, in) -> ...)}.
     */
    static Command of(String name, String summary, String help, BiFunction<List<String>, Invocation, Integer> run) {
        return new Command() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public String help() {
                return help;
            }

            @Override
            public int run(List<String> arguments, Invocation invocation) {
                return run.apply(arguments, invocation);
            }
        };
    }

    /** The first line of {@link #help()}, shown with usage errors. */
    default String usage() {
        return help().lines().findFirst().orElse("usage: virtsup " + name());
    }
}

package org.virtsup.cli;

import java.util.List;

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

    /** The first line of {@link #help()}, shown with usage errors. */
    default String usage() {
        return help().lines().findFirst().orElse("usage: virtsup " + name());
    }
}

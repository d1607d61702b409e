package org.virtsup.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options every configuration-reading command shares: {@code --config FILE}, {@code --help}. */
final class Arguments {
    /** The options part of the help of every command that reads the configuration. */
    static final String CONFIG_OPTIONS = """
            Options:
              --config FILE  the configuration (default: /etc/virtsup/config.scm if it
                             exists, else the embedded default: both services, defaults)
              -h, --help     this text
            """;

    private final Optional<String> config;
    private final boolean help;
    private final List<String> operands;

    private Arguments(Optional<String> config, boolean help, List<String> operands) {
        this.config = config;
        this.help = help;
        this.operands = operands;
    }

    /**
     * Parses the arguments of a command that reads the configuration and takes
     * at most {@code maxOperands} operands. Empty when {@code --help} was asked
     * for: the help is printed then, and the command is done.
     */
    static Optional<Arguments> ofConfigCommand(List<String> arguments, int maxOperands, Command command,
                                               Invocation invocation) {
        Arguments args = parse(arguments, true, command);
        if (args.help()) {
            invocation.out().print(command.help());
            return Optional.empty();
        }
        if (args.operands().size() > maxOperands) {
            throw new CliException.Usage("unexpected argument " + args.operands().get(maxOperands), command.usage());
        }
        return Optional.of(args);
    }

    /** Parses {@code arguments}; {@code acceptsConfig} says whether --config is an option of this command. */
    static Arguments parse(List<String> arguments, boolean acceptsConfig, Command command) {
        Optional<String> config = Optional.empty();
        boolean help = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
            } else if (acceptsConfig && a.equals("--config")) {
                if (i + 1 >= arguments.size()) {
                    throw new CliException.Usage("option --config needs a file name", command.usage());
                }
                config = Optional.of(arguments.get(++i));
            } else if (acceptsConfig && a.startsWith("--config=")) {
                config = Optional.of(a.substring("--config=".length()));
            } else if (a.equals("--")) {
                operands.addAll(arguments.subList(i + 1, arguments.size()));
                break;
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new CliException.Usage("unknown option " + a, command.usage());
            } else {
                operands.add(a);
            }
        }
        if (config.isPresent() && config.get().isEmpty()) {
            throw new CliException.Usage("option --config needs a file name", command.usage());
        }
        return new Arguments(config, help, List.copyOf(operands));
    }

    Optional<String> config() {
        return config;
    }

    boolean help() {
        return help;
    }

    List<String> operands() {
        return operands;
    }
}

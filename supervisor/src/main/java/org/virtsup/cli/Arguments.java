package org.virtsup.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options every configuration-reading command shares: {@code --config FILE}, {@code --help}. */
final class Arguments {
    private final Optional<String> config;
    private final boolean help;
    private final List<String> operands;

    private Arguments(Optional<String> config, boolean help, List<String> operands) {
        this.config = config;
        this.help = help;
        this.operands = operands;
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

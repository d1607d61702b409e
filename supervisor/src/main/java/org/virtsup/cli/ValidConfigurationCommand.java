package org.virtsup.cli;

import java.util.List;
import java.util.Optional;

/**
 * A command that takes only options ({@code --config}, {@code --help}) and
 * works on a configuration that passed every check: {@code check}, {@code run}.
 */
interface ValidConfigurationCommand extends Command {
    /** Runs on a configuration without errors (its warnings were printed); returns the exit code. */
    int run(ConfigurationSource.Valid valid, Invocation invocation);

    @Override
    default int run(List<String> arguments, Invocation invocation) {
        Optional<ConfigurationSource.Valid> valid = ConfigurationSource.forCommand(arguments, this, invocation);
        return valid.isEmpty() ? ExitCode.OK : run(valid.get(), invocation);
    }
}

package org.virtsup.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtsup.config.Configuration;

/** {@code virtsup check}: validate the configuration and what it needs from this host. */
final class CheckCommand implements ValidConfigurationCommand {

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String summary() {
        return "validate the configuration and this host's readiness for it";
    }

    @Override
    public String help() {
        return """
                usage: virtsup check [--config FILE]
                Reads the configuration, checks every field against what libvirt accepts and
                what this host provides (groups, TLS files, the daemons' programs), and prints
                every problem as FILE:LINE:COL: error: MESSAGE (or warning:) on stderr.

                """ + Arguments.CONFIG_OPTIONS + """

                Exit status: 0 valid (warnings allowed), 78 invalid configuration, 2 usage.
                """;
    }

    @Override
    public int run(ConfigurationSource.Valid valid, Invocation invocation) {
        ConfigurationSource.Result result = valid.result();
        Configuration configuration = valid.configuration();
        List<String> daemons = new ArrayList<>();
        configuration.virtlog().ifPresent(v -> daemons.add("virtlogd"));
        configuration.libvirt().ifPresent(l -> daemons.add("libvirtd"));
        int warnings = result.loaded().warnings().size();
        invocation.out().println(result.name() + ": OK: supervises "
                + (daemons.isEmpty() ? "no daemon" : String.join(" and ", daemons))
                + (warnings == 0 ? "" : " (" + warnings + (warnings == 1 ? " warning)" : " warnings)")));
        return ExitCode.OK;
    }
}

package org.virtsup.cli;

import java.util.ArrayList;
import java.util.List;
import org.virtsup.host.LocalHost;

/**
 * Every command of {@code virtsup}, in the order {@code --help} lists them,
 * and what they run against. Apart from {@link Main} so that the control
 * commands, which Main runs without this table, load none of it.
 */
final class Commands {
    /** Add a command here, one line. */
    static final List<Command> ALL = all();

    private Commands() {}

    private static List<Command> all() {
        List<Command> commands = new ArrayList<>(List.of(
                new RunCommand(),
                new CheckCommand(),
                new RenderCommand(),
                new ExplainCommand()));
        for (String name : ControlCommands.names()) {
            commands.add(Command.of(name, ControlCommands.summary(name), ControlCommands.help(name),
                    (args, in) -> ControlCommands.run(name, args, in.out(), in.err(), System.getenv())));
        }
        return List.copyOf(commands);
    }

    /** The real streams and host, for a command run from {@link Main#main}. */
    static Invocation invocation() {
        return new Invocation(System.out, System.err, Invocation.DEFAULT_CONFIG, HostName::read,
                new LocalHost(Running::forHostChecks));
    }
}

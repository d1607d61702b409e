package org.virtsup.cli;

import java.util.List;

/**
 * One of the commands that talk to a running virtsup over its control socket
 * (status, start, stop, restart, reload, signal, log). They are carried out by
 * {@link ControlCommands}, which loads only the JDK's own unix sockets: these
 * commands are the hot path of health probes.
 */
final class ControlCommand implements Command {
    private final String name;
    private final String summary;

    private ControlCommand(String name, String summary) {
        this.name = name;
        this.summary = summary;
    }

    static List<Command> all() {
        return ControlCommands.summaries().stream().map(line -> {
            String name = line.substring(0, line.indexOf(' '));
            String summary = line.replaceFirst("^\\S+(\\s+\\S*[A-Z\\]]+)*\\s{2,}", "").trim();
            return (Command) new ControlCommand(name, summary);
        }).toList();
    }

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
        return ControlCommands.help(name);
    }

    @Override
    public int run(List<String> arguments, Invocation invocation) {
        return ControlCommands.run(name, arguments, invocation.out(), invocation.err(), System.getenv());
    }
}

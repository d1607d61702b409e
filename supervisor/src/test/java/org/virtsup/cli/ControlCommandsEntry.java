package org.virtsup.cli;

import java.util.Arrays;

/**
 * What Main does for a control command, and nothing else: the benchmark's
 * fresh JVMs start here so that they measure the control path alone.
 */
public final class ControlCommandsEntry {
    private ControlCommandsEntry() {}

    public static void main(String[] args) {
        int code = ControlCommands.run(args[0], Arrays.asList(args).subList(1, args.length), System.out, System.err,
                System.getenv());
        System.out.flush();
        System.exit(code);
    }
}

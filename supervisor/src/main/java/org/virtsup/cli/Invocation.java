package org.virtsup.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.virtsup.host.Host;

/**
 * What a command runs against: its output streams and the facts of the
 * host, so that tests run commands in-process against their own.
 */
public record Invocation(PrintStream out, PrintStream err, Path defaultConfig, Supplier<String> hostName, Host host) {

    /** Where virtsup looks for its configuration when no --config is given. */
    public static final Path DEFAULT_CONFIG = Path.of("/etc/virtsup/config.scm");
}

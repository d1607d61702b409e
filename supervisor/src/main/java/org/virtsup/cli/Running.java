package org.virtsup.cli;

import org.virtsup.config.Configuration;
import org.virtsup.notify.RunLogging;
import org.virtsup.posix.JnrPosix;
import org.virtsup.run.SupervisedHost;

/**
 * The step from the command line into supervision. It is a class of its own so
 * that loading {@link RunCommand} (which every invocation of the CLI does, to
 * list it) loads neither jnr nor Logback's configuration: only {@code run} pays
 * for them.
 */
final class Running {
    private Running() {}

    static int start(Configuration configuration, org.virtsup.run.ConfigurationReader reader) {
        RunLogging.install(System.getenv());
        return new SupervisedHost(new JnrPosix(), System.getenv(), configuration, reader).run();
    }
}

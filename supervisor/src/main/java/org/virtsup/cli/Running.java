package org.virtsup.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.notify.RunLogging;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.NativeStub;
import org.virtsup.run.VirtsupRun;

/**
 * The step from the command line into supervision. It is a class of its own so
 * that loading {@link RunCommand} (which every invocation of the CLI does, to
 * list it) loads neither jnr nor Logback's configuration: only {@code run} pays
 * for them.
 */
final class Running {
    private Running() {}

    static int start(Configuration configuration, org.virtsup.run.ConfigurationReader reader) {
        RunLogging.install(System.getenv(), configuration.supervisor().logFormat());
        Logger log = LoggerFactory.getLogger("virtsup");
        try {
            NativeStub.choosePlace(Path.of(configuration.supervisor().stateDirectory())).ifPresent(place ->
                    log.info("{} does not allow running code: jnr's native stub goes to {}",
                            System.getProperty("java.io.tmpdir"), place));
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            return 1;
        }
        return new VirtsupRun(new JnrPosix(), System.getenv(), configuration, reader).run();
    }
}

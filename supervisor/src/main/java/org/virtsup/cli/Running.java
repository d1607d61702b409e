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

    /**
     * jnr's bindings by reflection rather than by generated code: generating
     * them (ASM classes, then x86 stubs through an assembler C1 compiles) cost
     * virtsup run about 190 ms of CPU and 15 MiB of resident memory for good
     * (measured), for calls it makes a few times per daemon start. Set before
     * jnr's loader is first used, which reads it once; an explicit
     * -Djnr.ffi.asm.enabled still wins.
     */
    static final String JNR_ASM = "jnr.ffi.asm.enabled";

    static void bindByReflection() {
        System.setProperty(JNR_ASM, System.getProperty(JNR_ASM, "false"));
    }

    static int start(Configuration configuration, org.virtsup.run.ConfigurationReader reader) {
        bindByReflection();
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

package org.virtsup.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.config.Configuration;
import org.virtsup.host.LibvirtdVersion;
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

    /** The one binding of libc in this process: made by the host checks, then used by run. */
    private static JnrPosix seam;

    static void bindByReflection() {
        System.setProperty(JNR_ASM, System.getProperty(JNR_ASM, "false"));
    }

    /**
     * The POSIX seam as the commands' host checks first need it ({@code
     * libvirtd --version}, before {@link #start}): bound as {@code run} binds
     * it, by reflection, its native stub placed where code may run, since jnr
     * is set up once per process, by whichever comes first.
     *
     * @throws java.io.UncheckedIOException when no place allows running the stub
     */
    static synchronized org.virtsup.posix.Posix forHostChecks() {
        if (seam == null) {
            bindByReflection();
            try {
                NativeStub.choosePlace(DEFAULT_STATE_DIRECTORY);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e.getMessage(), e);
            }
        }
        return seam();
    }

    private static synchronized JnrPosix seam() {
        if (seam == null) {
            seam = new JnrPosix();
        }
        return seam;
    }

    /** The state-directory field's default: where the stub goes first when java.io.tmpdir is noexec. */
    private static final Path DEFAULT_STATE_DIRECTORY = Path.of("/run/virtsup");

    /** {@code libvirtdVersion}: the host checks' answers, so that libvirtd is asked once. */
    static int start(Configuration configuration, org.virtsup.run.ConfigurationReader reader,
            Function<String, LibvirtdVersion.Answer> libvirtdVersion) {
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
        return new VirtsupRun(seam(), System.getenv(), configuration, reader, libvirtdVersion).run();
    }
}

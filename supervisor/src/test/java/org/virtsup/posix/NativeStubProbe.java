package org.virtsup.posix;

import java.nio.file.Path;

/**
 * Loads jnr as {@code virtsup run} does, in a JVM of its own (jffi's stub is
 * loaded once per JVM): prints this process's pid through {@link JnrPosix}.
 * Arguments: STATE-DIRECTORY, then "choose" to let {@link NativeStub} choose.
 */
public final class NativeStubProbe {
    private NativeStubProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("choose")) {
            System.out.println("place " + NativeStub.choosePlace(Path.of(args[0])).map(Path::toString).orElse("-"));
        }
        System.out.println("pid " + new JnrPosix().getpid());
    }
}

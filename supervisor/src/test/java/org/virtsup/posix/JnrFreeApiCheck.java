package org.virtsup.posix;

import java.util.List;

/** Run by {@link JnrFreeApiTest} in a JVM without jnr on its class path; exits 1 on failure. */
public final class JnrFreeApiCheck {
    private JnrFreeApiCheck() {}

    public static void main(String[] args) {
        try {
            List<Object> values = List.of(
                    new ChildExit(1, ExitStatus.fromWaitStatus(9)).describe(),
                    SpawnSpec.of("/bin/true", "true"),
                    new Pipe(3, 4),
                    FileStatus.of(0, 0, FileStatus.S_IFDIR | 0755),
                    Signals.name(Signals.TERM),
                    Errno.of(2),
                    new PosixException("chown", "/run/libvirt", Errno.EPERM).getMessage(),
                    new FakePosix().addExecutable("/bin/x").spawn(SpawnSpec.of("/bin/x", "x")));
            Class<?> seam = Posix.class;
            if (values.size() != 8 || !seam.isInterface()) {
                throw new AssertionError("unexpected values: " + values);
            }
            Class.forName("jnr.ffi.Runtime");
            System.err.println("jnr is on the class path: this check would prove nothing");
            System.exit(1);
        } catch (ClassNotFoundException expected) {
            System.exit(0);
        } catch (LinkageError | RuntimeException e) {
            System.err.println("the seam's values need more than our classes: " + e);
            System.exit(1);
        }
    }
}

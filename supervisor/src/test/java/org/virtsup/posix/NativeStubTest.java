package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeStubTest {
    private static final List<String> MOUNTINFO = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "25 22 0:21 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,mode=755",
            "26 22 0:22 / /tmp rw,nosuid,nodev,noexec shared:6 - tmpfs tmpfs rw",
            "27 26 0:23 / /tmp/build\\040dir rw,relatime shared:7 - tmpfs tmpfs rw",
            "28 22 0:24 / /var/lib rw,noexec - ext4 /dev/sda2 rw",
            "29 22 0:24 / /var/lib rw,relatime - ext4 /dev/sda2 rw");

    @TempDir
    Path dir;

    private final List<Path> mounted = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (Path mount : mounted) {
            run(dir, "umount", mount.toString());
        }
    }

    @Test
    void theMountWithTheLongestMountPointDecidesAndTheLastOfEqualOnes() {
        assertTrue(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/usr/lib")));
        assertFalse(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/tmp")));
        assertFalse(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/run/virtsup")));
        assertFalse(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/tmpfoo/x").getParent().resolve("../tmp/y")
                .normalize()));
        assertTrue(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/tmp/build dir/x")), "escaped space");
        assertTrue(NativeStub.Mounts.allowExec(MOUNTINFO, Path.of("/var/lib/virtsup")), "mounted over");
    }

    /**
     * A JVM whose java.io.tmpdir and working directory are on a noexec tmpfs
     * (the two places jffi extracts its stub to): it cannot load jnr unless
     * the stub goes to the state directory.
     */
    @Test
    void withTmpNoexecJnrLoadsFromTheStateDirectory() throws Exception {
        boolean root = ProcessHandle.current().info().user().filter("root"::equals).isPresent();
        if (!root && !"1".equals(System.getenv("VIRTSUP_FULL_TESTS"))) {
            Assumptions.abort("mounts a tmpfs: needs root");
        }
        Path noexec = Files.createDirectories(dir.resolve("tmp"));
        run(dir, "mount", "-t", "tmpfs", "-o", "size=4m,noexec", "tmpfs", noexec.toString());
        mounted.add(noexec);
        Path state = Files.createDirectories(dir.resolve("state"));

        String without = probe(noexec, state, false);
        String with = probe(noexec, state, true);

        assertFalse(without.contains("pid "), "jffi's own choice fails on noexec: " + without);
        assertTrue(with.contains("place " + state.resolve("native")), with);
        assertTrue(with.contains("pid "), with);
        System.out.println("without a chosen place: " + without.lines().limit(3).toList());
    }

    private static String probe(Path noexec, Path state, boolean choose) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.io.tmpdir=" + noexec, "-cp", System.getProperty("java.class.path"),
                NativeStubProbe.class.getName(), state.toString()));
        if (choose) {
            command.add("choose");
        }
        return run(noexec, command.toArray(String[]::new));
    }

    private static String run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        return "exit " + code + File.separator + output;
    }
}

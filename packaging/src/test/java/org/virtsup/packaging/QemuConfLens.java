package org.virtsup.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A qemu.conf read by libvirt's own augeas lens (libvirtd_qemu.aug, from
 * libvirt-daemon-driver-qemu) through augtool: the lens knows every key the
 * QEMU driver reads and fails on any other, which libvirtd itself would
 * silently ignore (a misspelt "security_drivers" would leave confinement on).
 */
final class QemuConfLens {

    private QemuConfLens() {}

    /** Skips, or fails under VIRTSUP_FULL_TESTS=1, without augtool and the lens. */
    static void require() {
        OutsideTool.require("augtool (augeas-tools)", List.of("augtool", "--version"));
        OutsideTool.requireThat(Files.exists(Path.of("/usr/share/augeas/lenses/libvirtd_qemu.aug")),
                "libvirt's qemu.conf lens /usr/share/augeas/lenses/libvirtd_qemu.aug (libvirt-daemon-driver-qemu)");
    }

    /** augtool's report of {@code text}: the parsed keys, or the parse error. */
    static Parsed parse(String text) throws IOException {
        Path root = Files.createTempDirectory("virtsup-qemu-conf");
        try {
            Path file = root.resolve("etc/libvirt/qemu.conf");
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            Path commands = root.resolve("commands");
            Files.writeString(commands, "print /files/etc/libvirt/qemu.conf\nprint /augeas/files/etc/libvirt/qemu.conf/error\n");
            OutsideTool.Outcome outcome = OutsideTool.run(List.of("augtool", "-r", root.toString(), "-L", "-A",
                    "--transform", "Libvirtd_qemu incl /etc/libvirt/qemu.conf", "-f", commands.toString()),
                    Map.of(), 60).expectSuccess();
            return new Parsed(outcome.stdout());
        } finally {
            try (Stream<Path> tree = Files.walk(root)) {
                for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** What augtool printed: the file's tree, or its error. */
    record Parsed(String report) {
        boolean failed() {
            return report.contains("/error");
        }
    }
}

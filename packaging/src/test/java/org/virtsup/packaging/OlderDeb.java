package org.virtsup.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The built package made older, for an upgrade test: the same files, a lower
 * {@code Version} in its control file and the same version in its jar's
 * manifest, so that after installing the built package over it, status
 * tells which code runs.
 */
final class OlderDeb {
    private OlderDeb() {}

    /** A copy of {@code deb} as version {@code version}, written to {@code target}. */
    static Path make(Path deb, String version, Path work, Path target) throws IOException {
        Path tree = work.resolve("older-deb");
        OutsideTool.run(List.of("dpkg-deb", "-R", deb.toString(), tree.toString()), Map.of(), 120).expectSuccess();
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control, StandardCharsets.UTF_8)
                .replaceFirst("(?m)^Version: .*$", "Version: " + version), StandardCharsets.UTF_8);
        Path jar = tree.resolve("usr/share/virtsup/virtsup.jar");
        Path stamped = work.resolve("virtsup-older.jar");
        stamp(jar, version, stamped);
        Files.move(stamped, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        OutsideTool.run(List.of("dpkg-deb", "--root-owner-group", "-b", tree.toString(), target.toString()),
                Map.of(), 300).expectSuccess();
        return target;
    }

    /** {@code jar} with Implementation-Version {@code version}, every other entry as it is. */
    private static void stamp(Path jar, String version, Path target) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Implementation-Version", version);
            try (OutputStream file = Files.newOutputStream(target);
                 JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }
}

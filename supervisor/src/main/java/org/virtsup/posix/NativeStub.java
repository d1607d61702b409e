package org.virtsup.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where jffi, under jnr, loads its native stub from. By default it copies the
 * stub from its jar into {@code java.io.tmpdir} and loads it from there (then,
 * failing that, from the working directory): with {@code /tmp} mounted noexec
 * the load fails and virtsup cannot start. Before jnr is first used, this picks
 * a directory that allows running code. A place chosen outside (the
 * launcher's {@code -Djffi.boot.library.path} naming an installed stub, or
 * {@code -Djffi.extract.dir}) is left alone. No jnr class is loaded here.
 */
public final class NativeStub {
    /** Directories searched for an installed libjffi-1.2.so before anything is extracted. */
    public static final String BOOT_PATH = "jffi.boot.library.path";
    /** Where jffi extracts its stub instead of java.io.tmpdir. */
    public static final String EXTRACT_DIR = "jffi.extract.dir";

    private NativeStub() {}

    /**
     * Places that may hold the stub when java.io.tmpdir cannot, after the state
     * directory (which is under /run by default, noexec on Debian): the
     * package's cache directory, virtsup's variable state. Used only when they exist.
     */
    static final List<Path> FALLBACKS = List.of(Path.of("/var/cache/virtsup"), Path.of("/var/lib/virtsup"));

    /**
     * Sets {@link #EXTRACT_DIR} to a {@code native} directory in the first of
     * the state directory and the {@link #FALLBACKS} that allows running code,
     * when {@code java.io.tmpdir} is on a noexec mount and nothing else was chosen.
     *
     * @return the directory chosen, empty when jffi's own choice stands
     * @throws IOException when no place allows running code, naming the fix
     */
    public static Optional<Path> choosePlace(Path stateDirectory) throws IOException {
        if (System.getProperty(BOOT_PATH) != null || System.getProperty(EXTRACT_DIR) != null) {
            return Optional.empty();
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
        Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
        if (Mounts.allowExec(mounts, existingPart(temporary))) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>(List.of(stateDirectory));
        FALLBACKS.stream().filter(Files::isDirectory).forEach(candidates::add);
        for (Path candidate : candidates) {
            if (Mounts.allowExec(mounts, existingPart(candidate))) {
                Path place = candidate.resolve("native");
                Files.createDirectories(place, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                System.setProperty(EXTRACT_DIR, place.toString());
                return Optional.of(place);
            }
        }
        throw new IOException("cannot load jnr's native stub: " + temporary + " (java.io.tmpdir) and " + candidates
                + " are all on noexec mounts; start the JVM with -D" + BOOT_PATH + "=DIRECTORY naming where"
                + " libjffi-1.2.so is installed, or -D" + EXTRACT_DIR + "=DIRECTORY naming a directory that allows"
                + " running code");
    }

    /** The path itself when it exists, else its nearest existing parent: the mount it will be on. */
    private static Path existingPart(Path path) throws IOException {
        Path existing = path.toAbsolutePath();
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing.toRealPath();
    }

    /** Reading /proc/self/mountinfo. */
    static final class Mounts {
        private Mounts() {}

        /**
         * Whether the mount holding {@code path} (absolute, symbolic links
         * resolved) allows executing code: the last-mounted entry whose mount
         * point is the longest prefix of the path decides.
         */
        static boolean allowExec(List<String> mountinfo, Path path) {
            String options = null;
            int longest = -1;
            for (String line : mountinfo) {
                String[] fields = line.split(" ");
                if (fields.length < 6) {
                    continue;
                }
                Path mountPoint = Path.of(unescape(fields[4]));
                if (path.startsWith(mountPoint) && mountPoint.getNameCount() >= longest) {
                    longest = mountPoint.getNameCount();
                    options = fields[5];
                }
            }
            return options == null || !List.of(options.split(",")).contains("noexec");
        }

        /** mountinfo writes space, tab, newline and backslash as octal escapes (\040). */
        static String unescape(String field) {
            StringBuilder text = new StringBuilder(field.length());
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars()
                        .allMatch(d -> d >= '0' && d <= '7')) {
                    text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    text.append(c);
                }
            }
            return text.toString();
        }
    }
}

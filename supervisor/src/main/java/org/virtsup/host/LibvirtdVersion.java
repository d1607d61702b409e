package org.virtsup.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.virtsup.config.LibvirtVersion;

/**
 * Asks an installed libvirtd its version ({@code libvirtd --version}). Runs a
 * child process with the JDK's ProcessBuilder: only where no reaper of
 * virtsup's waits for every child (the CLI, and {@code run} before its reaper
 * starts), or the JDK could lose the child's exit.
 */
final class LibvirtdVersion {
    private static final long TIMEOUT_SECONDS = 10;
    private static final int MAX_OUTPUT = 4096;

    private LibvirtdVersion() {}

    static Optional<LibvirtVersion> ask(String libvirtdPath) {
        Process process;
        try {
            process = new ProcessBuilder(List.of(libvirtdPath, "--version"))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return Optional.empty(); // not installed there, or not executable
        }
        try (InputStream out = process.getInputStream()) {
            byte[] bytes = out.readNBytes(MAX_OUTPUT);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return LibvirtVersion.fromVersionOutput(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return Optional.empty();
        }
    }
}

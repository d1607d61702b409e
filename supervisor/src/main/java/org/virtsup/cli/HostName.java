package org.virtsup.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This host's name, for mdns-name's default. Read from the kernel rather
 * than through InetAddress, which may wait on DNS.
 */
final class HostName {
    private HostName() {}

    static String read() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | SecurityException e) {
            // not Linux, or /proc not mounted: fall back to the environment
        }
        String fromEnvironment = System.getenv("HOSTNAME");
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment.trim() : "localhost";
    }
}

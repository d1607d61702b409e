package org.virtsup.host;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.virtsup.posix.JnrPosix;
import org.virtsup.posix.Posix;

/**
 * This machine, through the JDK, except for asking libvirtd its version: that
 * starts a process, which goes through the POSIX seam. The CLI's start-up time
 * matters, so the native bindings are loaded only then.
 */
public final class LocalHost implements Host {
    private static final Path SERVICES = Path.of("/etc/services");

    private final Supplier<Posix> posix;
    private final Map<String, LibvirtdVersion.Answer> answers = new HashMap<>();

    /** The seam is made on first need. */
    public LocalHost() {
        this(JnrPosix::new);
    }

    public LocalHost(Supplier<Posix> posix) {
        this.posix = posix;
    }

    @Override
    public boolean groupExists(String name) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException("looking up group " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isReadableFile(String path) {
        Path p = Path.of(path);
        return Files.isRegularFile(p) && Files.isReadable(p);
    }

    @Override
    public boolean isExecutableFile(String path) {
        Path p = Path.of(path);
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path));
    }

    /** Looks in /etc/services, the source glibc's getaddrinfo uses for port names on Debian ("services: db files"). */
    @Override
    public boolean tcpServiceExists(String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(SERVICES);
        } catch (IOException e) {
            return false;
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (words.length < 2 || !words[1].endsWith("/tcp")) {
                continue;
            }
            for (int i = 0; i < words.length; i++) {
                if (i != 1 && words[i].equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A version, once known, is kept for its path: the host checks ask, then
     * {@code run} renders the files for the same answer, and each question
     * starts a libvirtd (about 25 ms, measured). No answer is not kept: a
     * libvirtd that did not answer in time, or jnr that could not load here,
     * is asked again by the next one who needs it, as before.
     */
    @Override
    public synchronized LibvirtdVersion.Answer libvirtdVersion(String libvirtdPath) {
        LibvirtdVersion.Answer known = answers.get(libvirtdPath);
        if (known != null) {
            return known;
        }
        Posix seam;
        try {
            seam = posix.get();
        } catch (java.io.UncheckedIOException e) {
            // jnr cannot load here (run says why, and how to fix it; it may place its stub elsewhere).
            return new LibvirtdVersion.Unknown(libvirtdPath + " --version was not asked: " + e.getMessage());
        }
        LibvirtdVersion.Answer answer = new LibvirtdVersion(seam).ask(libvirtdPath);
        if (answer instanceof LibvirtdVersion.Known) {
            answers.put(libvirtdPath, answer);
        }
        return answer;
    }
}

package org.virtsup.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of the libvirt whose daemons virtsup runs, as
 * {@code libvirtd --version} prints it ({@code libvirtd (libvirt) 11.3.0}).
 * Rendering and the version checks depend on it: which keys the daemons
 * read, and what a comment says about the keys they do not.
 */
public record LibvirtVersion(int major, int minor, int micro) implements Comparable<LibvirtVersion> {

    /** Debian 12's libvirt, the oldest virtsup supports, and what virtsup assumes when it cannot ask. */
    public static final LibvirtVersion DEBIAN_12 = new LibvirtVersion(9, 0, 0);
    /** Debian 13's libvirt. */
    public static final LibvirtVersion DEBIAN_13 = new LibvirtVersion(11, 3, 0);

    private static final Pattern VERSION = Pattern.compile("(?:^|\\s)(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})(?:\\s|$)");

    public LibvirtVersion {
        if (major < 0 || minor < 0 || micro < 0) {
            throw new IllegalArgumentException("a libvirt version has no negative part: " + major + "." + minor + "." + micro);
        }
    }

    /** The version in {@code libvirtd --version}'s output (the last MAJOR.MINOR.MICRO on its first line), if any. */
    public static Optional<LibvirtVersion> fromVersionOutput(String output) {
        String firstLine = output.lines().findFirst().orElse("").strip();
        Matcher matcher = VERSION.matcher(firstLine);
        LibvirtVersion found = null;
        while (matcher.find()) {
            found = new LibvirtVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                    Integer.parseInt(matcher.group(3)));
        }
        return Optional.ofNullable(found);
    }

    public boolean atLeast(LibvirtVersion other) {
        return compareTo(other) >= 0;
    }

    /** {@code 9.0}, {@code 11.3}: how notes and messages name a release. */
    public String release() {
        return major + "." + minor;
    }

    @Override
    public int compareTo(LibvirtVersion other) {
        int byMajor = Integer.compare(major, other.major);
        if (byMajor != 0) {
            return byMajor;
        }
        int byMinor = Integer.compare(minor, other.minor);
        return byMinor != 0 ? byMinor : Integer.compare(micro, other.micro);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}

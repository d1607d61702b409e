package org.virtsup.config.read;

/**
 * The bounds that keep reading any file, however hostile, within fixed time
 * and memory. Each is far above what a real configuration needs: the deepest
 * meaningful datum, a list of strings in a field of a form in a service, is
 * five levels down, and a file that sets every field of the three forms, with
 * lists of a few hundred names, holds under 2,000 data in under 64 KiB.
 */
public final class ReadLimits {
    /**
     * The largest file read: 1 MiB, some sixteen times the largest meaningful
     * configuration. Also what keeps a mistaken {@code --config /dev/zero} or
     * a log file from being read whole.
     */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /**
     * How deep data may nest (lists, quotes and {@code #;} comments alike): the
     * reader recurses once per level, and 256 levels take well under a quarter
     * of the 256 KiB stack that {@code virtsup run} gives the thread that reloads
     * (ReadLimitsTest reads it on such a stack), while being fifty times the
     * five levels a configuration uses.
     */
    public static final int MAX_DEPTH = 256;

    /**
     * How many data a file may hold (every list, string, number, boolean and
     * name counts, commented-out ones too): 20,000 is ten times the largest
     * meaningful configuration and keeps the read tree to a few MiB, inside the
     * 64 MiB heap {@code virtsup run} has, where a 1 MiB file of one-letter
     * names would otherwise make half a million objects.
     */
    public static final int MAX_DATA = 20_000;

    private ReadLimits() {}
}

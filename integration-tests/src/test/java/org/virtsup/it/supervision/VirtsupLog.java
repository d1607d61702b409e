package org.virtsup.it.supervision;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * virtsup's log as the container captured it: its own lines (logger
 * {@code virtsup}), the daemons' (logger {@code daemon.NAME}), and the
 * indented "last output" a dying daemon leaves.
 */
record VirtsupLog(List<String> lines) {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final int TIMESTAMP_LENGTH = "yyyy-MM-dd HH:mm:ss.SSS".length();

    static VirtsupLog of(SupervisorContainer host) {
        return new VirtsupLog(host.logLines());
    }

    /** When virtsup wrote line {@code index} (its log's "yyyy-MM-dd HH:mm:ss.SSS" prefix). */
    LocalDateTime timeOf(int index) {
        String line = lines.get(index);
        if (line.length() < TIMESTAMP_LENGTH) {
            throw new AssertionError("no timestamp on log line: " + line);
        }
        return LocalDateTime.parse(line.substring(0, TIMESTAMP_LENGTH), TIMESTAMP);
    }

    /** The indexes of the lines holding {@code fragment}, in order. */
    List<Integer> indexesOf(String fragment) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                found.add(i);
            }
        }
        return found;
    }

    /** The index of the first line after {@code from} holding {@code fragment}, -1 when none does. */
    int indexAfter(int from, String fragment) {
        for (int i = from + 1; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first line holding {@code fragment}, -1 when none does. */
    int indexOf(String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }

    boolean has(String fragment) {
        return indexOf(fragment) >= 0;
    }

    /** Whether one line holds every fragment, in any order: the wording around them may change. */
    boolean hasLineWith(String... fragments) {
        return lines.stream().anyMatch(line -> Arrays.stream(fragments).allMatch(line::contains));
    }

    int count(String fragment) {
        return (int) lines.stream().filter(line -> line.contains(fragment)).count();
    }

    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}

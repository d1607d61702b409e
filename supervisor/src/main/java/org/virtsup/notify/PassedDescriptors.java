package org.virtsup.notify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The descriptors systemd passed to this process at its start (sd_listen_fds:
 * {@code LISTEN_PID}, {@code LISTEN_FDS}, {@code LISTEN_FDNAMES}), from 3 on:
 * for virtsup, the sockets its file descriptor store kept across a crash. Read
 * as hostile text: a value that is not exactly what systemd writes gives
 * nothing, with a warning; a descriptor whose name is missing, invalid or
 * given twice is among the unnamed, which the caller closes.
 *
 * @param named   each validly named descriptor by its name
 * @param unnamed the others, to be closed: they may hold a socket listening
 *                where virtsup must bind its own
 */
public record PassedDescriptors(Map<String, Integer> named, List<Integer> unnamed) {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    /** systemd's first passed descriptor (SD_LISTEN_FDS_START). */
    static final int FIRST = 3;
    /** More than any store of virtsup's holds (its unit sets FileDescriptorStoreMax=16). */
    static final int MOST = 1024;
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final PassedDescriptors NONE = new PassedDescriptors(Map.of(), List.of());

    public PassedDescriptors {
        named = Collections.unmodifiableMap(new LinkedHashMap<>(named));
        unnamed = List.copyOf(unnamed);
    }

    /** The passed descriptors, named ones in order; none when none were passed to {@code pid}. */
    public static PassedDescriptors from(Map<String, String> environment, int pid) {
        String to = environment.get("LISTEN_PID");
        String count = environment.get("LISTEN_FDS");
        if (to == null || count == null) {
            return NONE;
        }
        if (!to.equals(Integer.toString(pid))) {
            return NONE; // passed to the process that started this one, not to it
        }
        if (!NUMBER.matcher(count).matches() || Long.parseLong(count) > MOST) {
            log.warn("LISTEN_FDS={} is not a number of descriptors from 1 to {}: none taken", printable(count), MOST);
            return NONE;
        }
        int n = Integer.parseInt(count);
        String[] names = environment.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        Map<String, Integer> passed = new LinkedHashMap<>();
        List<Integer> unnamed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = i < names.length && names.length == n ? names[i] : "";
            if (NAME.matcher(name).matches() && !passed.containsKey(name)) {
                passed.put(name, FIRST + i);
            } else {
                unnamed.add(FIRST + i);
                log.warn("descriptor {} passed by the init system has no name of a socket virtsup holds ('{}'):"
                        + " closed", FIRST + i, printable(name));
            }
        }
        return new PassedDescriptors(passed, unnamed);
    }

    /** {@code environment} without the variables of sd_listen_fds: no child, and no later exec, reads them. */
    public static Map<String, String> without(Map<String, String> environment) {
        Map<String, String> rest = new HashMap<>(environment);
        rest.keySet().removeAll(List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"));
        return rest;
    }

    private static String printable(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.codePoints().allMatch(c -> c >= 0x20 && c < 0x7f) ? cut : cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

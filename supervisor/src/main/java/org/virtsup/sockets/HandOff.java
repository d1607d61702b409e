package org.virtsup.sockets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Handing sockets to a daemon the way systemd does: as descriptors 3, 4, ...,
 * with {@code LISTEN_FDS} counting them, {@code LISTEN_FDNAMES} naming them
 * in order, and {@code LISTEN_PID} equal to the daemon's own pid. libvirt
 * takes them only when all three agree (virSystemdGetListenFDs); otherwise it
 * silently binds sockets of its own.
 *
 * <p>The pid is known only once the process exists, so the daemon is started
 * through an exec-in-place step, as systemd-socket-activate does: a shell
 * that sets {@code LISTEN_PID} to its own pid and executes the daemon in its
 * place. The pid stays the daemon's; the descriptors stay open across the exec.
 */
public record HandOff(List<HeldSocket> sockets) {
    public static final String SHELL = "/bin/sh";
    /** {@code $0} is the daemon's path, {@code "$@"} its arguments; dash and bash export the prefixed assignment. */
    public static final String EXEC_IN_PLACE = "LISTEN_PID=$$ exec \"$0\" \"$@\"";

    public HandOff {
        sockets = List.copyOf(sockets);
    }

    public boolean isEmpty() {
        return sockets.isEmpty();
    }

    /** The parent's descriptors, in the order they become 3, 4, ... */
    public List<Integer> descriptors() {
        return sockets.stream().map(HeldSocket::fd).toList();
    }

    public Map<String, String> environment() {
        return Map.of("LISTEN_FDS", Integer.toString(sockets.size()),
                "LISTEN_FDNAMES", sockets.stream().map(s -> s.spec().name()).collect(Collectors.joining(":")));
    }

    /** The argv that starts {@code argv} (argv[0] being the daemon's absolute path) through the exec-in-place step. */
    public static List<String> execInPlace(List<String> argv) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", EXEC_IN_PLACE));
        wrapped.addAll(argv);
        return List.copyOf(wrapped);
    }
}

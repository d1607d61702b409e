package org.virtsup.sockets;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Names each held socket uniquely, as a live re-exec's handover and systemd's
 * file descriptor store ({@code FDNAME=}) name them: its plan name, and for
 * the second and later sockets of the same name (libvirtd's TCP socket has one
 * per address its listen_addr resolves to) {@code .2}, {@code .3}... A key
 * only says which socket to look at: what it is is checked where it listens.
 */
public final class SocketKeys {
    private SocketKeys() {}

    /** Every socket of {@code held} by its key, in order. */
    public static Map<String, HeldSocket> of(List<HeldSocket> held) {
        return keyed(held, HeldSocket::spec);
    }

    /** Every socket of {@code plan} by its key, in order. */
    public static Map<String, SocketSpec> ofPlan(List<SocketSpec> plan) {
        return keyed(plan, spec -> spec);
    }

    private static <T> Map<String, T> keyed(List<T> sockets, Function<T, SocketSpec> spec) {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, T> keyed = new LinkedHashMap<>();
        for (T socket : sockets) {
            String name = spec.apply(socket).name();
            int n = seen.merge(name, 1, Integer::sum);
            keyed.put(n == 1 ? name : name + "." + n, socket);
        }
        return keyed;
    }

    /** The plan name a key was made from. */
    public static String nameOf(String key) {
        int dot = key.lastIndexOf('.');
        if (dot > 0 && dot < key.length() - 1 && key.substring(dot + 1).chars().allMatch(Character::isDigit)) {
            return key.substring(0, dot);
        }
        return key;
    }
}

package org.virtsup.notify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.posix.Posix;
import org.virtsup.posix.PosixException;

/**
 * systemd's file descriptor store, holding a copy of each socket virtsup
 * holds for the daemons ({@code FDSTORE=1} with {@code FDNAME=}; the unit sets
 * {@code FileDescriptorStoreMax=}). When virtsup dies and systemd starts it
 * again, the copies come back ({@link PassedDescriptors}), and the new virtsup
 * holds the very sockets the daemons listen on: a client connecting meanwhile
 * waits in the backlog instead of being refused, even where virtsup may not
 * copy them out of the daemons (pidfd_getfd needs ptrace rights, which a
 * container may withhold). Kept in step with what is held: a socket closed or
 * replaced leaves the store ({@code FDSTOREREMOVE=1}) under its name.
 *
 * <p>Used only under a {@code NOTIFY_SOCKET}, and not when systemd says its
 * store is off ({@code FDSTORE} unset by systemd 254 and later unless
 * FileDescriptorStoreMax= is set; older ones do not say, and are sent to).
 */
public final class FdStore {
    private static final Logger log = LoggerFactory.getLogger("virtsup");
    private static final Pattern POSITIVE = Pattern.compile("[1-9][0-9]{0,9}");

    /** A descriptor to keep, and the inode that tells whether the store has it already. */
    public record Entry(int fd, long inode) {}

    private final Posix posix;
    private final Optional<String> address;
    /** What the store holds of ours, by name: the inode sent under it. */
    private final Map<String, Long> stored = new TreeMap<>();
    private boolean warned;

    private FdStore(Posix posix, Optional<String> address, Map<String, Long> alreadyStored) {
        this.posix = posix;
        this.address = address;
        stored.putAll(alreadyStored);
    }

    /**
     * The store of the unit that started this process, or one that does
     * nothing.
     *
     * @param alreadyStored what the store passed back at this start, by name:
     *                      what is not held any more is removed at the first {@link #sync}
     */
    public static FdStore fromEnvironment(Map<String, String> environment, Posix posix,
                                          Map<String, Long> alreadyStored) {
        String value = environment.get("NOTIFY_SOCKET");
        String max = environment.get("FDSTORE");
        if (value == null || value.isEmpty() || (max != null && !POSITIVE.matcher(max).matches())) {
            return new FdStore(posix, Optional.empty(), Map.of());
        }
        try {
            return new FdStore(posix, Optional.of(new NotifyAddress(value).value()), alreadyStored);
        } catch (IllegalArgumentException e) {
            return new FdStore(posix, Optional.empty(), Map.of()); // Notifier says why
        }
    }

    public static FdStore disabled() {
        return new FdStore(null, Optional.empty(), Map.of());
    }

    public boolean enabled() {
        return address.isPresent();
    }

    /** Makes the store hold exactly {@code held}: removes what changed or went, then adds what is new. */
    public void sync(Map<String, Entry> held) {
        if (address.isEmpty()) {
            return;
        }
        for (String name : new ArrayList<>(stored.keySet())) {
            Entry now = held.get(name);
            if (now == null || now.inode() != stored.get(name)) {
                if (send("FDSTOREREMOVE=1\nFDNAME=" + name, new int[0])) {
                    stored.remove(name);
                }
            }
        }
        new TreeMap<>(held).forEach((name, entry) -> {
            if (!stored.containsKey(name) && send("FDSTORE=1\nFDNAME=" + name, new int[] {entry.fd()})) {
                stored.put(name, entry.inode());
            }
        });
    }

    /** Empties the store of ours: the sockets are closed for good (an orderly stop). */
    public void clear() {
        sync(Map.of());
    }

    /** The names the store holds, as far as this process knows. */
    public List<String> names() {
        return List.copyOf(stored.keySet());
    }

    private boolean send(String message, int[] fds) {
        try {
            posix.sendDescriptors(address.get(), message.getBytes(StandardCharsets.UTF_8), fds);
            return true;
        } catch (PosixException e) {
            if (!warned) {
                warned = true;
                log.warn("cannot keep the sockets in the init system's file descriptor store at NOTIFY_SOCKET={}:"
                        + " {}; after a crash they are taken back from the daemons, or bound anew", address.get(),
                        e.getMessage());
            }
            return false;
        }
    }
}

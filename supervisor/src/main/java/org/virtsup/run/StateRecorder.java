package org.virtsup.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtsup.adopt.DaemonRecord;
import org.virtsup.adopt.ProcessIdentity;
import org.virtsup.adopt.StateRecord;
import org.virtsup.adopt.StateRecordFile;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.DaemonState;
import org.virtsup.supervise.Phase;
import org.virtsup.supervise.Supervision;

/**
 * Keeps the state record in step with supervision, so that a virtsup started
 * after this one crashed can adopt the daemons: after each step in which a
 * daemon's ready process changed (a new pid, virtlogd re-executed, one
 * ended), the record is written again with what /proc says of each ready
 * process. A daemon is recorded from its first READY=1 on, once the
 * exec-in-place step has become the daemon. Lives on the event loop.
 */
final class StateRecorder {
    private static final Logger log = LoggerFactory.getLogger("virtsup");

    /**
     * What makes a record stale: another process, or the same one re-executed.
     * Its equality is written out for the reason {@link org.virtsup.supervise.DaemonState#equals} gives.
     */
    private record Key(int pid, int reexecs) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key that && pid == that.pid && reexecs == that.reexecs;
        }

        @Override
        public int hashCode() {
            return 31 * pid + reexecs;
        }
    }

    private record Entry(Key key, DaemonRecord record) {}

    private final StateRecordFile file;
    private final Path proc;
    private final Function<Daemon, Path> configurationFile;
    private final Function<Daemon, Map<String, Long>> socketInodes;
    private final Map<Daemon, Entry> entries = new EnumMap<>(Daemon.class);
    private boolean written;
    private boolean writeFailed;

    StateRecorder(StateRecordFile file, Path proc, Function<Daemon, Path> configurationFile,
                  Function<Daemon, Map<String, Long>> socketInodes) {
        this.file = file;
        this.proc = proc;
        this.configurationFile = configurationFile;
        this.socketInodes = socketInodes;
    }

    /**
     * An adopted daemon keeps its record as it was (it runs with the
     * configuration it was started with); call before its Adopted step.
     */
    void adopted(DaemonRecord record) {
        entries.put(record.daemon(), new Entry(new Key(record.process().pid(), 0), record));
        written = false; // the entry is not in the file yet, though the next step will find it unchanged
    }

    /** After each step; never throws (a record that cannot be written is logged). */
    void stepped(Supervision after) {
        Map<Daemon, Key> now = new EnumMap<>(Daemon.class);
        for (DaemonState state : after.daemons().values()) {
            Entry previous = entries.get(state.daemon());
            if (previous != null && previous.key().pid() == state.pid()
                    && (state.reexecPending() || state.phase() == Phase.STOPPING)) {
                now.put(state.daemon(), previous.key()); // until it is ready again, it is what it was
            } else if (state.phase() == Phase.RUNNING) {
                now.put(state.daemon(), new Key(state.pid(), state.reexecs()));
            }
        }
        Map<Daemon, Key> before = new EnumMap<>(Daemon.class);
        entries.forEach((daemon, entry) -> before.put(daemon, entry.key()));
        if (written && now.equals(before)) {
            return;
        }
        Map<Daemon, Entry> next = new EnumMap<>(Daemon.class);
        now.forEach((daemon, key) -> {
            Entry known = entries.get(daemon);
            Optional<DaemonRecord> record = known != null && known.key().equals(key)
                    ? Optional.of(known.record()) : read(daemon, key.pid());
            record.ifPresent(r -> next.put(daemon, new Entry(key, r)));
        });
        entries.clear();
        entries.putAll(next);
        written = true;
        Map<Daemon, DaemonRecord> records = new EnumMap<>(Daemon.class);
        next.forEach((daemon, entry) -> records.put(daemon, entry.record()));
        try {
            file.write(new StateRecord(records));
            writeFailed = false;
        } catch (IOException e) {
            writeFailed = true;
            log.warn("cannot write the state record {}: {}; were virtsup to end now, the next one could not adopt {}",
                    file.path(), e.getMessage(), records.keySet());
        }
    }

    /**
     * Why the record on disk does not name every running daemon as it runs,
     * if it does not: a virtsup started now (after a re-exec or a crash) would
     * refuse to adopt that daemon.
     */
    Optional<String> unrecorded(Supervision now) {
        if (writeFailed) {
            return Optional.of("the state record " + file.path() + " could not be written (see the log)");
        }
        for (DaemonState state : now.daemons().values()) {
            Entry entry = entries.get(state.daemon());
            if (state.phase() == Phase.RUNNING && (entry == null || entry.key().pid() != state.pid())) {
                return Optional.of(state.daemon() + " (pid " + state.pid() + ") is not in the state record "
                        + file.path() + ", so the next virtsup could not adopt it");
            }
        }
        return Optional.empty();
    }

    private Optional<DaemonRecord> read(Daemon daemon, int pid) {
        Optional<ProcessIdentity> process = ProcessIdentity.read(proc, pid);
        if (process.isEmpty()) {
            log.warn("{} (pid {}) cannot be read in {}: it is left out of the state record", daemon, pid, proc);
            return Optional.empty();
        }
        try {
            return Optional.of(new DaemonRecord(daemon, process.get(), digestOf(configurationFile.apply(daemon)),
                    socketInodes.apply(daemon)));
        } catch (IOException e) {
            log.warn("cannot read {}'s configuration file ({}): it is left out of the state record", daemon,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** SHA-256 of a file, as the state record keeps it. */
    static String digestOf(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

package org.virtsup.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Decides whether a peer may send mutating requests: uid 0, or a member of the
 * control group. SO_PEERCRED carries only the primary gid, so the supplementary
 * groups are read from {@code /proc/<pid>/status} ({@code Groups:}), which the
 * kernel fills from the same credentials.
 */
public final class PeerPrivilege implements PeerIdentifier {
    private final int controlGid;
    private final Path proc;

    /**
     * @param controlGid the control group's gid
     * @param proc       where procfs is mounted, {@code /proc} except in tests
     */
    public PeerPrivilege(int controlGid, Path proc) {
        this.controlGid = controlGid;
        this.proc = proc;
    }

    @Override
    public Peer identify(int uid, int gid, int pid) {
        return new Peer(uid, gid, pid, uid == 0 || gid == controlGid || supplementaryGroups(pid).contains(controlGid));
    }

    /**
     * The supplementary groups of a live process; empty when it is gone (it then
     * gets no privilege: a client that hung up needs none).
     */
    List<Integer> supplementaryGroups(int pid) {
        if (pid <= 0) {
            return List.of();
        }
        try {
            for (String line : Files.readAllLines(proc.resolve(Integer.toString(pid)).resolve("status"),
                    StandardCharsets.UTF_8)) {
                if (line.startsWith("Groups:")) {
                    String list = line.substring("Groups:".length()).strip();
                    if (list.isEmpty()) {
                        return List.of();
                    }
                    return Arrays.stream(list.split("\\s+")).map(Integer::valueOf).toList();
                }
            }
            return List.of();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | NumberFormatException e) {
            // Unreadable: no privilege beyond what uid and gid give.
            return List.of();
        }
    }
}

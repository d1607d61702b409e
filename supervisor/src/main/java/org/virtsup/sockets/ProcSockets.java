package org.virtsup.sockets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What /proc tells of a process's sockets: the inodes of those it holds
 * ({@code /proc/PID/fd/N -> socket:[INODE]}) and, from its network
 * namespace's {@code /proc/PID/net/unix}, which unix sockets listen at which
 * path. A process that is gone holds nothing.
 */
public interface ProcSockets {

    /** The inodes of every socket {@code pid} holds open. */
    Set<Long> heldBy(int pid);

    /** Listening unix sockets seen from {@code pid}'s network namespace: inode to path (bound ones only). */
    Map<Long, String> listeningUnix(int pid);

    /** The socket descriptors {@code pid} holds: descriptor number to the socket's inode. */
    default Map<Integer, Long> socketDescriptors(int pid) {
        return descriptors(pid);
    }

    static ProcSockets ofThisHost() {
        return new ProcSockets() {
            @Override
            public Set<Long> heldBy(int pid) {
                return socketInodes(pid);
            }

            @Override
            public Map<Long, String> listeningUnix(int pid) {
                return listening(Path.of("/proc", Integer.toString(pid), "net", "unix"));
            }
        };
    }

    static Set<Long> socketInodes(int pid) {
        return new HashSet<>(descriptors(pid).values());
    }

    /** From /proc/PID/fd: each socket descriptor's number and inode. */
    static Map<Integer, Long> descriptors(int pid) {
        Map<Integer, Long> sockets = new HashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        sockets.put(Integer.parseInt(fd.getFileName().toString()),
                                Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        } catch (IOException gone) {
            return Map.of();
        }
        return sockets;
    }

    /** The inodes of listening sockets bound at {@code path}, from a /proc/net/unix table. */
    static Set<Long> listeningUnixInodes(Path table, String path) {
        Set<Long> inodes = new HashSet<>();
        listening(table).forEach((inode, bound) -> {
            if (bound.equals(path)) {
                inodes.add(inode);
            }
        });
        return inodes;
    }

    /**
     * Parses /proc/net/unix: {@code Num RefCount Protocol Flags Type St Inode Path}.
     * A listening socket has __SO_ACCEPTCON (0x10000) in Flags.
     */
    static Map<Long, String> listening(Path table) {
        Map<Long, String> sockets = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException gone) {
            return Map.of();
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.strip().split("\\s+", 8);
            if (fields.length == 8 && (Long.parseLong(fields[3], 16) & 0x10000) != 0) {
                sockets.put(Long.parseLong(fields[6]), fields[7]);
            }
        }
        return sockets;
    }
}

package org.virtsup.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

    /**
     * Whether the socket {@code inode} listens at {@code endpoint}, seen from
     * {@code pid}'s network namespace: a unix one at its path, a TCP one at its
     * address and port. Where /proc does not say (no table), it is trusted.
     */
    default boolean listensAt(int pid, long inode, Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Unix unix) {
            Map<Long, String> listening = listeningUnix(pid);
            String at = listening.get(inode);
            return at == null ? listening.isEmpty() : at.equals(unix.path());
        }
        Endpoint.Tcp wanted = (Endpoint.Tcp) endpoint;
        Map<Long, Endpoint.Tcp> listening = listeningTcp(pid);
        Endpoint.Tcp at = listening.get(inode);
        if (at == null) {
            return listening.isEmpty();
        }
        try { // both are numeric: no name is looked up
            return at.port() == wanted.port()
                    && InetAddress.getByName(at.host()).equals(InetAddress.getByName(wanted.host()));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Listening TCP sockets seen from {@code pid}'s network namespace: inode to
     * address, from {@code /proc/PID/net/tcp} and {@code tcp6}.
     */
    default Map<Long, Endpoint.Tcp> listeningTcp(int pid) {
        Map<Long, Endpoint.Tcp> sockets = new HashMap<>();
        sockets.putAll(listeningTcp(Path.of("/proc", Integer.toString(pid), "net", "tcp")));
        sockets.putAll(listeningTcp(Path.of("/proc", Integer.toString(pid), "net", "tcp6")));
        return sockets;
    }

    /**
     * Parses /proc/net/tcp or tcp6: {@code sl local_address rem_address st ... inode},
     * the address in hexadecimal 32-bit words of the host's byte order (x86: little
     * endian), the port in network order; st 0A is LISTEN.
     */
    static Map<Long, Endpoint.Tcp> listeningTcp(Path table) {
        Map<Long, Endpoint.Tcp> sockets = new HashMap<>();
        for (String line : rows(table)) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 10 || !fields[3].equals("0A")) {
                continue;
            }
            String[] local = fields[1].split(":");
            byte[] address = new byte[local[0].length() / 2];
            for (int word = 0; word < address.length / 4; word++) {
                for (int b = 0; b < 4; b++) { // each 32-bit word's bytes, least significant first
                    address[word * 4 + b] = (byte) Integer.parseInt(
                            local[0].substring(word * 8 + (3 - b) * 2, word * 8 + (4 - b) * 2), 16);
                }
            }
            try {
                sockets.put(Long.parseLong(fields[9]), new Endpoint.Tcp(
                        InetAddress.getByAddress(address).getHostAddress(), Integer.parseInt(local[1], 16)));
            } catch (UnknownHostException | IllegalArgumentException e) {
                // not an address: a table of another format
            }
        }
        return sockets;
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
        for (String line : rows(table)) {
            String[] fields = line.strip().split("\\s+", 8);
            if (fields.length == 8 && (Long.parseLong(fields[3], 16) & 0x10000) != 0) {
                sockets.put(Long.parseLong(fields[6]), fields[7]);
            }
        }
        return sockets;
    }

    /** A /proc table's rows, its header line left out; none when it cannot be read (the process is gone). */
    private static List<String> rows(Path table) {
        try {
            List<String> lines = Files.readAllLines(table);
            return lines.subList(Math.min(1, lines.size()), lines.size());
        } catch (IOException gone) {
            return List.of();
        }
    }
}

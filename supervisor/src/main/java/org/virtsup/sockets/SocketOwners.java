package org.virtsup.sockets;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who, if anyone, serves a socket path: a socket file nobody answers on is
 * what a dead process left (stale, to be replaced); one that answers belongs
 * to a live process that virtsup must not take it from.
 */
@FunctionalInterface
public interface SocketOwners {

    /**
     * Empty when nothing accepts connections at {@code path}; otherwise who
     * does, for an error message: {@code pid 812 (libvirtd)}, or a sentence
     * saying the owner could not be named.
     */
    Optional<String> liveOwner(String path);

    /**
     * The real one: a connection attempt, then /proc/net/unix and /proc/PID/fd
     * to name the holder. The attempt never blocks: a socket whose backlog is
     * full (EAGAIN) has a live owner all the same, who is only slow to accept.
     */
    static SocketOwners ofThisHost() {
        return path -> {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.configureBlocking(false);
                channel.connect(UnixDomainSocketAddress.of(path));
            } catch (IOException refused) {
                if (!String.valueOf(refused.getMessage()).contains("temporarily unavailable")) {
                    return Optional.empty();
                }
            }
            List<String> holders = new ArrayList<>();
            Set<Long> inodes = ProcSockets.listeningUnixInodes(Path.of("/proc/net/unix"), path);
            try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path process : processes) {
                    int pid = Integer.parseInt(process.getFileName().toString());
                    if (ProcSockets.socketInodes(pid).stream().anyMatch(inodes::contains)) {
                        holders.add("pid " + pid + " (" + command(process) + ")");
                    }
                }
            } catch (IOException e) {
                // /proc unreadable: the owner stays unnamed
            }
            return Optional.of(holders.isEmpty() ? "a process virtsup cannot name (another pid namespace?)"
                    : String.join(", ", holders));
        };
    }

    private static String command(Path process) {
        try {
            return Files.readString(process.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}

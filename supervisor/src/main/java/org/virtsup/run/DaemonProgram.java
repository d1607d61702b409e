package org.virtsup.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.virtsup.config.LibvirtConfiguration;
import org.virtsup.config.SupervisorConfiguration;
import org.virtsup.config.VirtlogConfiguration;
import org.virtsup.sockets.HandOff;

/**
 * How one daemon is launched: executable, arguments, environment, and the
 * files that tell whether it runs (its pid file, which it locks, and the socket
 * it serves). Daemons run in the foreground (no {@code --daemon}), so they stay
 * virtsup's children.
 *
 * <p>The environment is small and documented rather than inherited whole:
 * {@code PATH} (libvirtd finds qemu, dnsmasq and friends through it, with the
 * installation prefix's own directories first), {@code HOME}, the locale and
 * time zone ({@code LANG}, {@code LC_*}, {@code TZ}) and libvirt's own debug
 * switches ({@code LIBVIRT_*}) when virtsup has them, and {@code NOTIFY_SOCKET}
 * pointing at the private socket virtsup listens on for the daemon's
 * {@code READY=1}.
 */
public record DaemonProgram(String name, String path, List<String> argv, Map<String, String> environment,
                            Path pidFile, Path socket, List<Integer> passed) {
    /** A program handed no descriptors beyond 0-2. */
    public DaemonProgram(String name, String path, List<String> argv, Map<String, String> environment, Path pidFile,
                         Path socket) {
        this(name, path, argv, environment, pidFile, socket, List.of());
    }

    static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static DaemonProgram virtlogd(VirtlogConfiguration virtlog, String prefix, Path configFile,
                                         Path notifySocket, Map<String, String> ourEnvironment) {
        String path = Path.of(prefix, "sbin", "virtlogd").toString();
        return new DaemonProgram("virtlogd", path, List.of(path, "-f", configFile.toString()),
                environment(prefix, notifySocket, ourEnvironment),
                Path.of("/run/virtlogd.pid"), Path.of("/run/libvirt/virtlogd-sock"), List.of());
    }

    public static DaemonProgram libvirtd(LibvirtConfiguration libvirt, SupervisorConfiguration supervisor,
                                         Path configFile, Path notifySocket, Map<String, String> ourEnvironment) {
        String path = Path.of(libvirt.libvirt(), "sbin", "libvirtd").toString();
        List<String> argv = new ArrayList<>(List.of(path, "-f", configFile.toString()));
        if (supervisor.listen()) {
            argv.add("--listen");
        }
        return new DaemonProgram("libvirtd", path, List.copyOf(argv),
                environment(libvirt.libvirt(), notifySocket, ourEnvironment),
                Path.of("/run/libvirtd.pid"), Path.of(libvirt.unixSockDir(), "libvirt-sock"), List.of());
    }

    /**
     * This program started with {@code handOff}'s sockets: through the
     * exec-in-place step that sets LISTEN_PID, with LISTEN_FDS and
     * LISTEN_FDNAMES, and without {@code --listen}, which libvirtd refuses
     * beside handed sockets (its TCP and TLS sockets are handed or not instead).
     */
    public DaemonProgram handed(HandOff handOff) {
        if (handOff.isEmpty()) {
            return this;
        }
        List<String> daemonArgv = new ArrayList<>(argv);
        daemonArgv.set(0, path);
        daemonArgv.remove("--listen");
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putAll(handOff.environment());
        return new DaemonProgram(name, HandOff.SHELL, HandOff.execInPlace(daemonArgv), env, pidFile, socket,
                handOff.descriptors());
    }

    static Map<String, String> environment(String prefix, Path notifySocket, Map<String, String> ours) {
        Map<String, String> env = new LinkedHashMap<>();
        // "/usr/" is "/usr": its directories are in the system PATH already, at their usual rank.
        String dir = Path.of(prefix).normalize().toString();
        String prefixPath = dir.equals("/usr") ? "" : dir + "/sbin:" + dir + "/bin:";
        env.put("PATH", prefixPath + SYSTEM_PATH);
        env.put("HOME", ours.getOrDefault("HOME", "/root"));
        ours.forEach((key, value) -> {
            if (key.equals("LANG") || key.startsWith("LC_") || key.equals("TZ") || key.startsWith("LIBVIRT_")) {
                env.put(key, value);
            }
        });
        if (notifySocket != null) {
            env.put("NOTIFY_SOCKET", notifySocket.toString());
        }
        return Map.copyOf(env);
    }
}

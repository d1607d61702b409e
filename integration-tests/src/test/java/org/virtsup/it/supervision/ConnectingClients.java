package org.virtsup.it.supervision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.virtsup.it.ExecResult;

/**
 * Clients inside the container that connect to each of the daemons' unix
 * sockets every 2 ms, as libvirt's own clients do (a blocking connect), and
 * count how each attempt ended: accepted into the backlog ({@code ok}),
 * {@code refused} (ECONNREFUSED: nobody listens), {@code missing} (ENOENT: no
 * socket file) or {@code other} (anything else, by errno name).
 */
final class ConnectingClients {
    static final String SCRIPT = "/usr/local/lib/virtsup-test/connect-loop.py";
    private static final String STOP = "/tmp/connect-loop.stop";
    private static final String COUNTS = "/tmp/connect-loop.counts";

    static final String PROGRAM = """
            import errno, os, socket, sys, threading, time
            stop, paths = sys.argv[1], sys.argv[2:]
            counts = {p: {"ok": 0, "refused": 0, "missing": 0} for p in paths}
            def run(path):
                c = counts[path]
                while not os.path.exists(stop):
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        s.connect(path)
                        c["ok"] += 1
                    except ConnectionRefusedError:
                        c["refused"] += 1
                    except FileNotFoundError:
                        c["missing"] += 1
                    except OSError as e:
                        name = errno.errorcode.get(e.errno, str(e.errno))
                        c[name] = c.get(name, 0) + 1
                    finally:
                        s.close()
                    time.sleep(0.002)
            threads = [threading.Thread(target=run, args=(p,)) for p in paths]
            for t in threads: t.start()
            for t in threads: t.join()
            for p in paths:
                print(p, " ".join("%s=%d" % kv for kv in counts[p].items()))
            """;

    /** Runs a command in the container: {@code SupervisorContainer::exec} or {@code LibvirtHostContainer::exec}. */
    interface Container {
        ExecResult exec(String... argv);
    }

    private final Container host;
    private final int paths;

    private ConnectingClients(Container host, int paths) {
        this.host = host;
        this.paths = paths;
    }

    /** Starts one client per path in the background. */
    static ConnectingClients start(SupervisorContainer host, List<String> paths) {
        return start(host::exec, paths);
    }

    /** Starts one client per path in the background; {@link #SCRIPT} must hold {@link #PROGRAM}. */
    static ConnectingClients start(Container host, List<String> paths) {
        host.exec("rm", "-f", STOP, COUNTS).orFail();
        host.exec("sh", "-c", "nohup python3 " + SCRIPT + " " + STOP + " " + String.join(" ", paths) + " > " + COUNTS
                + " 2>&1 &").orFail();
        return new ConnectingClients(host, paths.size());
    }

    /** Stops the clients and returns, per path, how many attempts ended how. */
    Map<String, Map<String, Integer>> stop() {
        host.exec("touch", STOP).orFail();
        String output = org.virtsup.it.Poll.untilPresent("the clients print their counts",
                java.time.Duration.ofSeconds(30), () -> {
                    String text = host.exec("cat", COUNTS).stdout();
                    return text.strip().lines().count() == paths ? java.util.Optional.of(text) : java.util.Optional.empty();
                });
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (String line : output.strip().split("\n")) {
            String[] fields = line.split(" ");
            Map<String, Integer> byOutcome = new LinkedHashMap<>();
            for (int i = 1; i < fields.length; i++) {
                String[] pair = fields[i].split("=");
                byOutcome.put(pair[0], Integer.parseInt(pair[1]));
            }
            counts.put(fields[0], byOutcome);
        }
        return counts;
    }

    /** Attempts that did not reach a listening socket: everything but {@code ok}. */
    static int failures(Map<String, Integer> byOutcome) {
        return byOutcome.entrySet().stream().filter(e -> !e.getKey().equals("ok")).mapToInt(Map.Entry::getValue).sum();
    }
}

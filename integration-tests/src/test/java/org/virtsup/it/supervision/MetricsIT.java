package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.Benchmark;
import org.virtsup.it.ExecResult;
import org.virtsup.it.FullTests;
import org.virtsup.it.Poll;

/**
 * virtsup's metrics as a real Prometheus server sees them (Debian's
 * prometheus and promtool, copied from this machine into the container, whose
 * network is loopback only), with the real daemons: a kill -9 of libvirtd is
 * exactly one more restart in Prometheus's query API; the scraped text passes
 * promtool's checks; and with log-format "json" every line of virtsup's log,
 * the daemons' own included, is one JSON object. The tests share the
 * container; one that moves the endpoint or starts a server puts it back.
 */
class MetricsIT {
    private static final String METRICS = "http://127.0.0.1:9474/metrics";
    private static final String PROMETHEUS = "http://127.0.0.1:9090";
    private static final String CONFIGURATION = """
            (supervisor-configuration
             (metrics-address "127.0.0.1:9474")
             (log-format "json"))
            (service virtlog-service-type
                     (virtlog-configuration))
            (service libvirt-service-type
                     (libvirt-configuration
                      ;; info: libvirtd writes lines of its own at start, for the JSON log to carry.
                      (log-level 2)))
            """;
    private static final String PROMETHEUS_CONFIG = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: virtsup
                static_configs:
                  - targets: ["127.0.0.1:9474"]
            """;
    /** GET a URL; the body on stdout, or the HTTP status on stderr and exit 3. */
    private static final String FETCH = """
            import sys, urllib.request, urllib.error
            try:
                sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
            except urllib.error.HTTPError as e:
                sys.stderr.write(str(e.code)); sys.exit(3)
            """;

    private static final Optional<Path> PROMETHEUS_PROGRAM = onPath("prometheus");
    private static final Optional<Path> PROMTOOL_PROGRAM = onPath("promtool");

    @RegisterExtension
    static final SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt()
            .withConfiguration(CONFIGURATION)
            .withFile("/etc/prometheus-it/prometheus.yml", PROMETHEUS_CONFIG)
            .withFile("/usr/local/bin/fetch.py", FETCH);

    static {
        PROMETHEUS_PROGRAM.ifPresent(p -> host.withHostProgram(p, "/usr/local/bin/prometheus"));
        PROMTOOL_PROGRAM.ifPresent(p -> host.withHostProgram(p, "/usr/local/bin/promtool"));
    }

    @BeforeAll
    static void prometheusIsHere() {
        FullTests.require(PROMETHEUS_PROGRAM.isPresent() && PROMTOOL_PROGRAM.isPresent(),
                "prometheus and promtool (Debian's prometheus package: packaging/dev/install-deps test)");
    }

    @BeforeEach
    void libvirtdAnswersAndTheMetricsAreServed() {
        Poll.until("libvirtd answers virsh under virtsup", Duration.ofSeconds(120), host::libvirtdAnswers);
        Poll.until("virtsup serves its metrics on " + METRICS, Duration.ofSeconds(30), () -> fetch(METRICS).succeeded());
    }

    private static Optional<Path> onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }

    private static ExecResult fetch(String url) {
        return host.exec("python3", "/usr/local/bin/fetch.py", url);
    }

    @Test
    void theScrapedTextPassesPromtoolsChecks() {
        int restarts = SupervisorStatus.number(SupervisorStatus.of(host).libvirtd(), "restarts");
        long start = System.nanoTime();
        String text = fetch(METRICS).orFail().stdout();
        Benchmark.record("one scrape of virtsup's metrics (in the container, python's urllib included)",
                Duration.ofNanos(System.nanoTime() - start));
        host.writeFile("/tmp/scraped.txt", text);
        ExecResult checked = host.exec("sh", "-c", "promtool check metrics < /tmp/scraped.txt");
        ExecResult other = fetch("http://127.0.0.1:9474/");
        assertAll(
                () -> assertEquals(0, checked.exitCode(), "promtool check metrics: " + checked.describe()),
                () -> assertTrue(text.contains("virtsup_daemon_up{daemon=\"libvirtd\"} 1"), text),
                () -> assertTrue(text.contains("virtsup_daemon_restarts_total{daemon=\"libvirtd\"} " + restarts), text),
                () -> assertTrue(text.contains("virtsup_build_info{version="), text),
                () -> assertTrue(text.contains("jvm_memory_used_bytes"), text),
                () -> assertTrue(text.contains("process_cpu_seconds_total"), text),
                () -> assertEquals("404", other.stderr().trim(), "a path other than /metrics: " + other.describe()));
    }

    @Test
    void prometheusCountsExactlyOneRestartAfterAKill9() {
        String prometheus = inBackground("prometheus --config.file=/etc/prometheus-it/prometheus.yml"
                + " --storage.tsdb.path=/tmp/prometheus-data --web.listen-address=127.0.0.1:9090"
                + " >/var/log/prometheus-it.log 2>&1");
        try {
            String restarts = "virtsup_daemon_restarts_total{daemon=\"libvirtd\"}";
            Poll.until("Prometheus has scraped virtsup", Duration.ofSeconds(60),
                    () -> query("up{job=\"virtsup\"}").orElse(0) == 1 && query(restarts).isPresent());
            double before = query(restarts).orElseThrow();
            int pid = host.pidFile("/run/libvirtd.pid").orElseThrow();

            host.exec("kill", "-9", Integer.toString(pid)).orFail();
            Poll.until("libvirtd answers again with a new pid", Duration.ofSeconds(60), () -> host.libvirtdAnswers()
                    && host.pidFile("/run/libvirtd.pid").orElse(pid) != pid);
            Poll.until("Prometheus sees the restart", Duration.ofSeconds(30),
                    () -> query(restarts).orElse(before) > before);
            // A few more scrapes: a second count of the same death would show now.
            long scrapesLater = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            Poll.until("3 s of scrapes pass", Duration.ofSeconds(10), () -> System.nanoTime() > scrapesLater);
            assertAll(
                    () -> assertEquals(before + 1, query(restarts).orElseThrow(), "restarts after one kill -9"),
                    () -> assertEquals(1, query("virtsup_daemon_exits_total{daemon=\"libvirtd\",reason=\"SIGKILL\"}")
                            .orElseThrow(), "one exit by SIGKILL"),
                    () -> assertEquals(1, query("up{job=\"virtsup\"}").orElseThrow(), "the target is up"),
                    () -> assertEquals(1, query("virtsup_daemon_up{daemon=\"libvirtd\"}").orElseThrow(),
                            "libvirtd is up again"));
        } finally {
            host.exec("kill", prometheus);
        }
    }

    @Test
    void aReloadMovesTheEndpointAndARefusedAddressKeepsTheOldOne() {
        String server = inBackground("python3 -m http.server 9475 --bind 127.0.0.1 >/dev/null 2>&1");
        try {
            Poll.until("something else listens on 127.0.0.1:9475", Duration.ofSeconds(30),
                    () -> fetch("http://127.0.0.1:9475/").succeeded());
            host.writeFile(SupervisorContainer.CONFIG, CONFIGURATION.replace("127.0.0.1:9474", "127.0.0.1:9475"));
            ExecResult refused = host.virtsup("reload");
            String served = fetch(METRICS).stdout();
            assertAll(
                    () -> assertTrue(refused.exitCode() != 0, "the reload is refused: " + refused.describe()),
                    () -> assertTrue((refused.stdout() + refused.stderr())
                                    .contains("metrics-address \"127.0.0.1:9475\" cannot be bound"),
                            "the reply names the address: " + refused.describe()),
                    () -> assertTrue(served.contains("virtsup_daemon_up"), "the old address still serves"),
                    () -> assertTrue(served.contains("virtsup_config_reloads_total{result=\"failed\"} 1"), served));

            host.writeFile(SupervisorContainer.CONFIG, CONFIGURATION.replace("127.0.0.1:9474", "127.0.0.1:9476"));
            ExecResult applied = host.virtsup("reload");
            String moved = fetch("http://127.0.0.1:9476/metrics").stdout();
            ExecResult old = fetch(METRICS);
            assertAll(
                    () -> assertEquals(0, applied.exitCode(), applied.describe()),
                    () -> assertTrue(moved.contains("virtsup_config_reloads_total{result=\"applied\"} 1"), moved),
                    () -> assertTrue(!old.succeeded(), "the old address is closed: " + old.describe()));
        } finally {
            host.exec("kill", server);
            host.writeFile(SupervisorContainer.CONFIG, CONFIGURATION); // the endpoint back on 9474
            host.virtsup("reload");
        }
    }

    /** Starts {@code command} in its own session, in the background; returns its pid. */
    private static String inBackground(String command) {
        return host.exec("sh", "-c", "setsid " + command + " < /dev/null & echo $!").orFail().stdout().strip();
    }

    @Test
    void everyLogLineIsJsonAndTheDaemonsLinesNameTheirDaemonAndPid() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : host.logLines()) {
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(JSON.std.mapFrom(line));
            } catch (IOException e) {
                throw new AssertionError("a line of virtsup's log is not JSON: " + line, e);
            }
        }
        List<Map<String, Object>> libvirtd = lines.stream()
                .filter(l -> "daemon.libvirtd".equals(l.get("loggerName"))).toList();
        assertAll(
                () -> assertTrue(lines.stream().allMatch(l -> l.containsKey("level") && l.containsKey("timestamp")
                        && l.containsKey("formattedMessage")), "every line has level, time and message"),
                () -> assertTrue(!libvirtd.isEmpty(), "libvirtd's own lines are in the log"),
                () -> assertTrue(libvirtd.stream().allMatch(l -> l.get("mdc") instanceof Map<?, ?> mdc
                        && "libvirtd".equals(mdc.get("daemon")) && String.valueOf(mdc.get("pid")).matches("[0-9]+")),
                        "each of libvirtd's lines names libvirtd and its pid: " + libvirtd.stream().limit(3).toList()));
    }

    /** The value of an instant query's single sample, if it has one. */
    @SuppressWarnings("unchecked")
    private static OptionalDouble query(String promql) {
        ExecResult answer = host.exec("python3", "-c", "import sys, urllib.parse, urllib.request;"
                + " sys.stdout.write(urllib.request.urlopen('" + PROMETHEUS + "/api/v1/query?query='"
                + " + urllib.parse.quote(sys.argv[1]), timeout=10).read().decode())", promql);
        if (!answer.succeeded()) {
            return OptionalDouble.empty();
        }
        try {
            Map<String, Object> reply = JSON.std.mapFrom(answer.stdout());
            List<Map<String, Object>> result = (List<Map<String, Object>>) ((Map<String, Object>) reply.get("data"))
                    .get("result");
            if (result.size() != 1) {
                return OptionalDouble.empty();
            }
            List<Object> value = (List<Object>) result.get(0).get("value");
            return OptionalDouble.of(Double.parseDouble((String) value.get(1)));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("Prometheus's answer to " + promql + " is not what its API documents: "
                    + answer.stdout(), e);
        }
    }
}

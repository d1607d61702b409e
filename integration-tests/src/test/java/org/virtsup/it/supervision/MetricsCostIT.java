package org.virtsup.it.supervision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.virtsup.it.ExecResult;
import org.virtsup.it.Poll;

/**
 * What metrics cost: virtsup idle with both daemons running, once without
 * metrics-address and once with it (nobody scraping), then the latency of a
 * scrape. The numbers are printed as virtsup-benchmark lines, never asserted.
 */
class MetricsCostIT {
    private static final int IDLE_SECONDS = 20;
    private static final int SCRAPES = 50;
    private static final String DAEMONS = """
            (service virtlog-service-type)
            (service libvirt-service-type)
            """;
    /** PID 1's CPU ticks (utime + stime) before and after the window, then its VmRSS in kB. */
    private static final String IDLE_PROBE = """
            ticks() { set -- $(cut -d' ' -f14,15 /proc/1/stat); echo $(($1 + $2)); }
            before=$(ticks); sleep %d; after=$(ticks)
            echo "$((after - before)) $(getconf CLK_TCK) $(awk '/^VmRSS:/{print $2}' /proc/1/status)"
            """.formatted(IDLE_SECONDS);
    /** SCRAPES scrapes in a row over one python process: the median and the slowest, in microseconds. */
    private static final String SCRAPE_PROBE = """
            import statistics, time, urllib.request
            times = []
            for _ in range(%d):
                start = time.perf_counter()
                urllib.request.urlopen("http://127.0.0.1:9474/metrics", timeout=10).read()
                times.append((time.perf_counter() - start) * 1e6)
            print(int(statistics.median(times)), int(max(times)), int(times[0]))
            """.formatted(SCRAPES);

    private record Idle(double cpuMillisPerSecond, double rssMiB) {}

    private static Idle idle(SupervisorContainer host) {
        Poll.until("libvirtd answers virsh under virtsup", Duration.ofSeconds(120), host::libvirtdAnswers);
        // Let the start's work (JIT, the first status calls) settle before the window.
        long settled = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Poll.until("5 s pass", Duration.ofSeconds(10), () -> System.nanoTime() > settled);
        String[] fields = host.exec(Duration.ofSeconds(IDLE_SECONDS + 30), "bash", "-c", IDLE_PROBE).orFail()
                .stdout().trim().split(" ");
        long ticks = Long.parseLong(fields[0]);
        long perSecond = Long.parseLong(fields[1]);
        return new Idle(ticks * 1000.0 / perSecond / IDLE_SECONDS, Long.parseLong(fields[2]) / 1024.0);
    }

    private static Idle measure(String configuration, Optional<String> scrapeLine) {
        try (SupervisorContainer host = SupervisorContainer.create().preparedForLibvirt().withConfiguration(configuration)) {
            host.start();
            Idle idle = idle(host);
            scrapeLine.ifPresent(label -> {
                ExecResult scraped = host.exec("python3", "-c", SCRAPE_PROBE).orFail();
                String[] micros = scraped.stdout().trim().split(" ");
                System.out.printf("virtsup-benchmark: %s: one scrape of /metrics, median of %d: %s us (slowest %s us,"
                        + " first %s us)%n", label, SCRAPES, micros[0], micros[1], micros[2]);
                assertEquals(3, micros.length, scraped.describe());
            });
            return idle;
        }
    }

    @Test
    void idleCostWithAndWithoutMetricsAndTheLatencyOfAScrape() {
        Idle without = measure(DAEMONS, Optional.empty());
        Idle with = measure(DAEMONS + "(supervisor-configuration (metrics-address \"127.0.0.1:9474\"))",
                Optional.of("metrics-address set"));
        System.out.printf("virtsup-benchmark: idle virtsup over %d s, without metrics-address: RSS %.1f MiB, CPU %.2f ms/s;"
                + " with it (not scraped): RSS %.1f MiB, CPU %.2f ms/s%n", IDLE_SECONDS, without.rssMiB(),
                without.cpuMillisPerSecond(), with.rssMiB(), with.cpuMillisPerSecond());
        assertTrue(without.rssMiB() > 0 && with.rssMiB() > 0, "VmRSS was read: " + without + ", " + with);
    }
}

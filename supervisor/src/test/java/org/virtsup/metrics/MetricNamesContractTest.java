package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;

/** The metrics' names are a contract: the README's table lists exactly the virtsup_ metrics registered. */
class MetricNamesContractTest {
    private static final Path README = Path.of("..", "README.md");
    /** A table row of the README's Metrics section: {@code | `virtsup_...` | type | ...}. */
    private static final Pattern ROW = Pattern.compile("^\\| `(virtsup_[a-z_]+)` \\|", Pattern.MULTILINE);

    @Test
    void theReadmeListsEveryVirtsupMetricAndNoOther() throws Exception {
        VirtsupMetrics metrics = new VirtsupMetrics(Clock.systemUTC(), "1.2.3");
        metrics.supervision().publish(Supervision.initial(Policy.defaults(), EnumSet.allOf(Daemon.class)));
        assertTrue(metrics.registry().scrape().stream().noneMatch(s -> s.getMetadata().getPrometheusName()
                .startsWith("jvm_")), "the JVM's are registered only once an endpoint serves");
        metrics.endpoint().start(java.util.Optional.of("127.0.0.1:0"));
        try {
            check(metrics);
        } finally {
            metrics.endpoint().close();
        }
    }

    private static void check(VirtsupMetrics metrics) throws IOException {
        Set<String> registered = new TreeSet<>();
        Set<String> others = new TreeSet<>();
        for (MetricSnapshot snapshot : metrics.registry().scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            (name.startsWith("virtsup_") ? registered : others).add(name);
        }
        Set<String> documented = new TreeSet<>();
        Matcher row = ROW.matcher(Files.readString(README));
        while (row.find()) {
            // The library keeps counters' and infos' names without the suffix the exposition adds.
            documented.add(row.group(1).replaceFirst("_total$", "").replaceFirst("_info$", ""));
        }
        assertEquals(documented, registered, "README.md's metrics against those registered");
        assertTrue(others.stream().anyMatch(n -> n.startsWith("jvm_")) && others.stream().anyMatch(n -> n.startsWith("process_")),
                "the JVM's and the process's own: " + others);
        assertTrue(Exposition.text(metrics.registry()).contains("virtsup_build_info{version=\"1.2.3\"} 1"),
                Exposition.text(metrics.registry()));
    }
}

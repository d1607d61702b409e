package org.virtsup.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class MeasurementsTest {

    @Test
    void summarisesTheProbesSamplesByKey() {
        Measurements measurements = new Measurements();
        StringBuilder output = new StringBuilder("note started\n");
        for (int millis = 10; millis >= 1; millis--) {
            output.append("sample restart.virtsup.libvirtd.pid ").append(millis * 1_000_000L).append('\n');
        }
        output.append("value idle.virtsup.switches 4\ndetail idle.virtsup 1/2 main woke 4 times\n");
        measurements.add(output.toString());

        Measurements.Summary summary = measurements.summary("restart.virtsup.libvirtd.pid").orElseThrow();
        assertEquals(new Measurements.Summary(10, 1_000_000, 5_000_000, 9_000_000, 10_000_000), summary);
        assertEquals("5.0 ms (1.0–10.0, n=10)", summary.medianAndRange());
        assertEquals("5.0 ms / p90 9.0 ms (n=10)", summary.medianAndP90());
        assertEquals(Optional.of(4L), measurements.value("idle.virtsup.switches"));
        assertEquals(List.of("1/2 main woke 4 times"), measurements.details("idle.virtsup"));
        assertEquals(List.of("started"), measurements.notes());
        assertEquals(Optional.empty(), measurements.summary("launch.virtsup"));
    }

    @Test
    void theMedianOfAnEvenCountIsTheLowerMiddleSample() {
        assertEquals(2, Measurements.Summary.of(List.of(4L, 1L, 3L, 2L)).median());
        assertEquals(7, Measurements.Summary.of(List.of(7L)).p90());
    }

    @Test
    void theTableShowsEachColumnsMedianAndMarksWhatDidNotRun() {
        Measurements measurements = new Measurements();
        measurements.add("sample restart.virtsup.libvirtd.pid 2000000\nsample restart.virtsup.libvirtd.pid 4000000\n"
                + "sample restart.virtsup.libvirtd.pid 9000000\n");
        List<String> lines = new BenchmarkTable(measurements, BenchmarkSettings.SHORT, List.of("0.5 0.4 0.3"), "an archive")
                .lines();
        String row = lines.stream().filter(line -> line.startsWith("libvirtd: kill -9 -> new pid")).findFirst()
                .orElseThrow();
        assertTrue(row.contains("4.0 (2.0–9.0)"), row);
        assertTrue(row.contains("?"), row);
        assertTrue(lines.get(0).contains("0.5 0.4 0.3"), lines.get(0));
    }

    @Test
    void cpuPerRestartIsTheMeanOfItsTicks() {
        Measurements measurements = new Measurements();
        measurements.add("sample restart.virtsup.libvirtd.supervisorCpu 10000000\n"
                + "sample restart.virtsup.libvirtd.supervisorCpu 10000000\n"
                + "sample restart.virtsup.libvirtd.supervisorCpu 20000000\n");
        assertEquals(Optional.of(13_333_333L), measurements.mean("restart.virtsup.libvirtd.supervisorCpu"));
        assertEquals(Optional.empty(), measurements.mean("restart.runit.libvirtd.supervisorCpu"));
        String row = tableLine(measurements, "CPU per libvirtd restart");
        assertTrue(row.contains("mean 13.3 (10.0–20.0)"), row);
        assertTrue(row.contains("?"), row);
    }

    @Test
    void theIdleFloorIsShownWithVirtsupsShareBeyondIt() {
        Measurements measurements = new Measurements();
        measurements.add("value idle.virtsup.VmRSS.kB 53248\nvalue idle.virtsup.RssAnon.kB 32768\n"
                + "value idle.jvm-floor.VmRSS.kB 33792\nvalue idle.jvm-floor.RssAnon.kB 15360\n"
                + "value idle.jvm-floor.threads 13\nvalue idle.jvm-floor.switches 0\nvalue idle.jvm-floor.windowMs 5000\n");
        String line = tableLine(measurements, "idle: the floor");
        assertTrue(line.contains("VmRSS 33.0 MiB, RssAnon 15.0 MiB, 13 threads, wake-ups/s 0.00"), line);
        assertTrue(line.contains("virtsup's own share: VmRSS 19.0 MiB, RssAnon 17.0 MiB"), line);
    }

    @Test
    void withoutTheFloorMeasuredNoFloorLineIsPrinted() {
        Measurements measurements = new Measurements();
        measurements.add("value idle.virtsup.VmRSS.kB 53248\n");
        assertTrue(table(measurements).stream().noneMatch(text -> text.startsWith("idle: the floor")));
    }

    private static List<String> table(Measurements measurements) {
        return new BenchmarkTable(measurements, BenchmarkSettings.SHORT, List.of(), "an archive").lines();
    }

    /** The table's first line that starts with {@code start}. */
    private static String tableLine(Measurements measurements, String start) {
        return table(measurements).stream().filter(line -> line.startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void statusIsSetAgainstTheHelloWorldOfTheSameRun() {
        Measurements measurements = new Measurements();
        measurements.add("sample time.hello-java 30000000\nsample time.hello-java 40000000\n"
                + "sample time.virtsup-installed 50000000\nsample time.virtsup-installed 60000000\n");
        List<String> lines = new BenchmarkTable(measurements, BenchmarkSettings.SHORT, List.of(), "an AOT cache")
                .lines();
        String row = lines.stream().filter(line -> line.contains("against the hello-world")).findFirst()
                .orElseThrow();
        assertTrue(row.contains(": 1.67 x (goal: at most 2)"), row);
        assertTrue(row.contains("without an archive: ?"), row);
    }

    @Test
    void theLaunchersFlagsAreTheArgumentsBeforeTheClassPath() {
        assertEquals(List.of("-XX:+UseSerialGC", "-Xlog:all=warning:stderr:uptime,level,tags"),
                SupervisorBenchmarkIT.flagsBeforeClassPath(
                        "-XX:+UseSerialGC\n-Xlog:all=warning:stderr:uptime,level,tags\n-cp\na.jar\nMain\nstatus\n"));
        assertThrows(IllegalStateException.class, () -> SupervisorBenchmarkIT.flagsBeforeClassPath("Main\n"));
    }
}

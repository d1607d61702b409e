package org.virtsup.it.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The side-by-side table of {@link SupervisorBenchmarkIT}: one row per
 * measurement, one column per way of running the daemons. Times are in
 * milliseconds, "median (min–max)" over the rounds; a cell is "-" when that
 * way has no such thing (the raw daemons have no restart: their row shows
 * the cold start instead) and "?" when the measurement did not run.
 */
final class BenchmarkTable {
    static final List<String> COLUMNS = List.of("raw", "virtsup", "supervisord", "runit");
    private static final String MISSING = "?";
    private static final int LABEL_WIDTH = 50;
    private static final int CELL_WIDTH = 22;

    private final Measurements results;
    private final BenchmarkSettings settings;
    private final List<String> loads;

    /** What the installed launcher starts status from: "a class-data archive" or "an AOT cache". */
    private final String archiveKind;

    BenchmarkTable(Measurements results, BenchmarkSettings settings, List<String> loads, String archiveKind) {
        this.results = results;
        this.settings = settings;
        this.loads = List.copyOf(loads);
        this.archiveKind = archiveKind;
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("supervisors compared (" + settings.name() + ": " + settings.rounds() + " rounds, "
                + settings.calls() + " status calls, idle window " + settings.idleSeconds() + " s; "
                + Runtime.getRuntime().availableProcessors() + " CPUs; load average during the run: "
                + String.join(" | ", loads) + ")");
        lines.add(row("ms: median (min–max)", COLUMNS.toArray(String[]::new)));
        for (String daemon : List.of("libvirtd", "virtlogd")) {
            lines.add(row(daemon + ": kill -9 -> old pid reaped", "-",
                    cell("restart.virtsup." + daemon + ".reaped"),
                    cell("restart.supervisord." + daemon + ".reaped"),
                    cell("restart.runit." + daemon + ".reaped")));
            lines.add(row(daemon + ": kill -9 -> new pid (raw: launch -> pid)",
                    cell("cold." + daemon + ".pid"),
                    cell("restart.virtsup." + daemon + ".pid"),
                    cell("restart.supervisord." + daemon + ".pid"),
                    cell("restart.runit." + daemon + ".pid")));
            lines.add(row(daemon + ": kill -9 -> answering (raw: cold start)",
                    cell("cold." + daemon + ".answer"),
                    cell("restart.virtsup." + daemon + ".answer"),
                    cell("restart.supervisord." + daemon + ".answer"),
                    cell("restart.runit." + daemon + ".answer")));
        }
        for (String daemon : List.of("libvirtd", "virtlogd")) {
            lines.add(row(daemon + ": kill -9 -> answering (raw: relaunched at once)",
                    cell("restart.raw." + daemon + ".answer"), "-", "-", "-"));
            lines.add(row(daemon + ": failed connects per kill -9 (every 2 ms)",
                    failedConnects("raw", daemon), failedConnects("virtsup", daemon),
                    failedConnects("supervisord", daemon), failedConnects("runit", daemon)));
        }
        for (String daemon : List.of("libvirtd", "virtlogd")) {
            lines.add(row("CPU per " + daemon + " restart (mean; 10 ms ticks)", "-",
                    cpuCell("restart.virtsup." + daemon + ".supervisorCpu"),
                    cpuCell("restart.supervisord." + daemon + ".supervisorCpu"),
                    cpuCell("restart.runit." + daemon + ".supervisorCpu")));
        }
        lines.add(row("launch -> virtlogd answering",
                "-", cell("launch.virtsup.virtlogd"), cell("launch.supervisord.virtlogd"),
                cell("launch.runit.virtlogd")));
        lines.add(row("launch -> both answering",
                cell("launch.raw"), cell("launch.virtsup"), cell("launch.supervisord"), cell("launch.runit")));
        lines.add(row("CPU used by the supervisor until both answer", "-", cell("launch.virtsup.supervisorCpu"),
                cell("launch.supervisord.supervisorCpu"), cell("launch.runit.supervisorCpu")));
        results.summary("launch.virtsup-cds").ifPresent(archived -> {
            lines.add(row("launch -> both answering, from the installation's class-data archive", "-",
                    cell("launch.virtsup-cds"), "-", "-"));
            lines.add(row("CPU until both answer, from the installation's class-data archive", "-",
                    cell("launch.virtsup-cds.supervisorCpu"), "-", "-"));
        });
        lines.add(row("first start in a fresh container (both)", cell("first-start.both"), "-", "-", "-"));
        lines.add(row("idle: supervisor VmRSS (MiB)", "-", mebibytes("virtsup", "VmRSS"),
                mebibytes("supervisord", "VmRSS"), mebibytes("runit", "VmRSS")));
        lines.add(row("idle: supervisor RssAnon (MiB)", "-", mebibytes("virtsup", "RssAnon"),
                mebibytes("supervisord", "RssAnon"), mebibytes("runit", "RssAnon")));
        lines.add(row("idle: wake-ups/s (ctx switches, all threads)", "-", wakeups("virtsup"),
                wakeups("supervisord"), wakeups("runit")));
        lines.add(row("idle: processes/threads", "-", tasks("virtsup"), tasks("supervisord"), tasks("runit")));
        if (results.value("idle.jvm-floor.VmRSS.kB").isPresent()) {
            lines.add(idleFloor());
        }
        results.value("idle.virtsup-after-status.switches").ifPresent(n -> lines.add(row(
                "wake-ups/s right after the status calls", "-", wakeups("virtsup-after-status"))));
        lines.add("status command, fresh process per call (ms: median / p90, exit codes):");
        status(lines, "hello-java", "java <launcher flags> HelloWorld (the floor)");
        status(lines, "virtsup-java", "java <launcher flags> -cp virtsup.jar:lib/* ...Main status");
        status(lines, "virtsup-installed", "/usr/bin/virtsup status (as installed: " + archiveKind + ", "
                + results.value("cds.archive.kB").map(kb -> kb + " kB").orElse("?") + ", made as postinst makes it)");
        status(lines, "virtsup-launcher", "./virtsup status (the checkout's launcher, no archive)");
        lines.add("  /usr/bin/virtsup status against the hello-world, medians of the same run: "
                + ratio("virtsup-installed", "hello-java") + " (goal: at most 2); java ...Main status without an"
                + " archive: " + ratio("virtsup-java", "hello-java"));
        lines.add(String.format(Locale.ROOT, "  %-" + (LABEL_WIDTH + 10) + "s %s",
                "of which virtsup's answer (a warm client's exchange)",
                results.summary("reply.virtsup-status").map(Measurements.Summary::medianAndP90).orElse(MISSING)));
        status(lines, "supervisorctl", "supervisorctl status");
        status(lines, "sv", "sv status (runit)");
        lines.add("how it was measured: a daemon answers when it replies to libvirt's RPC (libvirtd: AUTH_LIST then"
                + " CONNECT_OPEN qemu:///system; virtlogd: admin CONNECT_OPEN), checked every 0.2 ms;"
                + " one answered check costs " + median("resolution.libvirtd.exchange") + " ms (libvirtd), "
                + median("resolution.virtlogd.exchange") + " ms (virtlogd); a new pid is seen by listing /proc"
                + " every 0.2 ms and reading the stat of pids that were not there before the kill; one check ("
                + results.value("resolution.processes").map(String::valueOf).orElse("?")
                + " processes) costs " + median("resolution.procScan") + " ms");
        for (String column : List.of("virtsup", "virtsup-after-status", "jvm-floor", "supervisord", "runit")) {
            List<String> threads = results.details("idle." + column);
            if (!threads.isEmpty()) {
                lines.add("idle wake-ups of " + column + " by thread (pid/tid name): " + String.join(", ", threads));
            }
        }
        return lines;
    }

    private void status(List<String> lines, String key, String label) {
        String exits = results.value("time." + key + ".exit0").map(n -> "exit 0 x" + n).orElse("")
                + otherExits(key);
        lines.add(String.format(Locale.ROOT, "  %-" + (LABEL_WIDTH + 10) + "s %s  %s", label,
                results.summary("time." + key).map(Measurements.Summary::medianAndP90).orElse(MISSING), exits));
    }

    /** "1.6 x": the median time of one status command over another's. */
    private String ratio(String key, String floorKey) {
        Optional<Measurements.Summary> command = results.summary("time." + key);
        Optional<Measurements.Summary> floor = results.summary("time." + floorKey);
        if (command.isEmpty() || floor.isEmpty() || floor.get().median() <= 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.2f x", (double) command.get().median() / floor.get().median());
    }

    private String otherExits(String key) {
        StringBuilder text = new StringBuilder();
        for (int code = 1; code < 256; code++) {
            int exit = code;
            results.value("time." + key + ".exit" + code).ifPresent(n -> text.append(" exit ").append(exit)
                    .append(" x").append(n));
        }
        return text.toString();
    }

    private String cell(String key) {
        return results.summary(key).map(s -> Measurements.millis(s.median()) + " (" + Measurements.millis(s.min())
                + "–" + Measurements.millis(s.max()) + ")").orElse(MISSING);
    }

    /** "mean 13.3 (10.0–20.0)": CPU time per event, its samples whole clock ticks. */
    private String cpuCell(String key) {
        return results.mean(key).flatMap(mean -> results.summary(key).map(s -> "mean "
                + Measurements.millis(mean) + " (" + Measurements.millis(s.min()) + "–"
                + Measurements.millis(s.max()) + ")")).orElse(MISSING);
    }

    /** Connects that were refused (or found no socket) per restart: "per kill (failed/attempts)". */
    private String failedConnects(String column, String daemon) {
        String key = "restart." + column + "." + daemon;
        Optional<Long> failed = results.value(key + ".connectsFailed");
        Optional<Long> kills = results.value(key + ".kills");
        if (failed.isEmpty() || kills.isEmpty() || kills.get() == 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.1f (%d/%d)", failed.get() / (double) kills.get(), failed.get(),
                results.value(key + ".connects").orElse(0L));
    }

    private String median(String key) {
        return results.summary(key).map(s -> Measurements.millis(s.median())).orElse(MISSING);
    }

    private String mebibytes(String key, String field) {
        return results.value("idle." + key + "." + field + ".kB")
                .map(kb -> String.format(Locale.ROOT, "%.1f", kb / 1024.0)).orElse(MISSING);
    }

    /** The idle JVM with run's flags ({@link IdleJvm}), and what virtsup holds beyond it. */
    private String idleFloor() {
        return "idle: the floor of any JVM with run's flags (IdleJvm: loads nothing, waits): VmRSS "
                + mebibytes("jvm-floor", "VmRSS") + " MiB, RssAnon " + mebibytes("jvm-floor", "RssAnon") + " MiB, "
                + results.value("idle.jvm-floor.threads").map(String::valueOf).orElse(MISSING)
                + " threads, wake-ups/s " + wakeups("jvm-floor") + "; virtsup's own share: VmRSS " + share("VmRSS")
                + " MiB, RssAnon " + share("RssAnon") + " MiB";
    }

    /** What virtsup holds idle beyond the JVM floor, in MiB. */
    private String share(String field) {
        Optional<Long> virtsup = results.value("idle.virtsup." + field + ".kB");
        Optional<Long> floor = results.value("idle.jvm-floor." + field + ".kB");
        if (virtsup.isEmpty() || floor.isEmpty()) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.1f", (virtsup.get() - floor.get()) / 1024.0);
    }

    private String wakeups(String key) {
        Optional<Long> switches = results.value("idle." + key + ".switches");
        Optional<Long> window = results.value("idle." + key + ".windowMs");
        if (switches.isEmpty() || window.isEmpty() || window.get() == 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.2f (%d in %.1f s%s)", switches.get() * 1000.0 / window.get(),
                switches.get(), window.get() / 1000.0, results.value("idle." + key + ".quietAfterMs")
                        .map(ms -> String.format(Locale.ROOT, ", quiet after %.1f s", ms / 1000.0)).orElse(""));
    }

    private String tasks(String key) {
        return results.value("idle." + key + ".processes").map(String::valueOf).orElse(MISSING) + "/"
                + results.value("idle." + key + ".threads").map(String::valueOf).orElse(MISSING);
    }

    private static String row(String label, String... cells) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-" + LABEL_WIDTH + "s", label));
        for (String cell : cells) {
            text.append(String.format(Locale.ROOT, " %-" + CELL_WIDTH + "s", cell));
        }
        return text.toString().stripTrailing();
    }
}

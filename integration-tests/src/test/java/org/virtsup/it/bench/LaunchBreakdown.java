package org.virtsup.it.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a launch of {@code virtsup run} goes, read from the JVM's
 * class-loading log ({@code -Xlog:class+load=info:file=FILE:uptime}): the
 * JVM's uptime at the first class of each step, and how many classes came
 * from the class-data archives and how many were spun at run time (lambda
 * and LambdaForm classes, which the archive's training does not hold). The
 * benchmark prints it beside its totals, so that a step that grows shows
 * where.
 */
final class LaunchBreakdown {
    /** Each step, by the first class it loads; a class renamed since shows as "-". */
    static final Map<String, String> STEPS = stepsInOrder();

    private static final Pattern LINE = Pattern.compile("^\\[(\\d+\\.\\d+)s\\]\\s+(\\S+) source: (.*)$");

    private LaunchBreakdown() {}

    private static Map<String, String> stepsInOrder() {
        Map<String, String> steps = new LinkedHashMap<>();
        steps.put("main", "org.virtsup.cli.Main");
        steps.put("configuration read, libc binding", "org.virtsup.posix.LibC");
        steps.put("libvirtd asked its version", "org.virtsup.host.LibvirtdVersion");
        steps.put("run", "org.virtsup.run.VirtsupRun");
        steps.put("files rendered", "org.virtsup.run.RenderedFiles");
        steps.put("control server", "org.virtsup.control.ControlServer");
        steps.put("first spawn", "org.virtsup.supervise.Event$Spawned");
        steps.put("ready reported", "org.virtsup.supervise.Action$ReportReady");
        return steps;
    }

    /** One line: the steps' uptimes in milliseconds, then the class counts. */
    static String of(String classLoadLog) {
        Map<String, Long> firstLoad = new LinkedHashMap<>();
        int classes = 0;
        int archived = 0;
        int lambdas = 0;
        int lambdaForms = 0;
        for (String line : classLoadLog.split("\n")) {
            Matcher matcher = LINE.matcher(line.strip());
            if (!matcher.matches()) {
                continue;
            }
            long millis = Math.round(Double.parseDouble(matcher.group(1)) * 1000);
            String name = matcher.group(2);
            boolean fromArchive = matcher.group(3).startsWith("shared objects file");
            classes++;
            if (fromArchive) {
                archived++;
            } else if (name.contains("$$Lambda")) {
                lambdas++;
            } else if (name.startsWith("java.lang.invoke.LambdaForm$")) {
                lambdaForms++;
            }
            firstLoad.putIfAbsent(name, millis);
        }
        List<String> steps = new ArrayList<>();
        STEPS.forEach((step, firstClass) -> steps.add(step + " " + (firstLoad.containsKey(firstClass)
                ? firstLoad.get(firstClass) + " ms" : "-")));
        return String.join(", ", steps) + "; " + classes + " classes, " + archived + " from the archives; spun at"
                + " run time: " + lambdas + " lambda classes, " + lambdaForms + " LambdaForm classes";
    }
}

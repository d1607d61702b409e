package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Checks rendered files with augtool and libvirt's own augeas lenses (the
 * keys libvirt ships): each file must parse, and the values augeas reads back
 * must be the model's. Many files go through one augtool run.
 */
final class AugeasLens {
    private AugeasLens() {}

    /** The problems of each file rendered from {@code settings} (none: all parse and read back); skips without augtool. */
    static List<String> problems(List<Settings> settings, Path directory) throws IOException, InterruptedException {
        Path augtool = Tools.requireCommand("augtool", "augeas-tools");
        for (String lens : List.of("libvirtd", "virtlogd")) {
            Tools.requireFile(Path.of("/usr/share/augeas/lenses/" + lens + ".aug"), "libvirt's augeas lens");
        }
        List<Path> files = new ArrayList<>();
        List<String> script = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            boolean libvirtd = settings.get(i).section() == Section.LIBVIRT;
            String lens = libvirtd ? "Libvirtd" : "Virtlogd";
            Path file = directory.resolve(i + (libvirtd ? "-libvirtd.conf" : "-virtlogd.conf"));
            Files.writeString(file, render(settings.get(i)), StandardCharsets.UTF_8);
            files.add(file);
            script.add("set /augeas/load/" + lens + "/lens " + lens + ".lns");
            script.add("set /augeas/load/" + lens + "/incl[last()+1] " + file);
        }
        script.add("load");
        script.add("match /augeas//error");
        for (Path file : files) {
            script.add("match /files" + file + "/*");
            script.add("match /files" + file + "/*/*");
        }
        List<String> output = run(augtool, String.join("\n", script) + "\n");
        List<String> problems = new ArrayList<>();
        output.stream().filter(l -> l.startsWith("/augeas")).forEach(l -> problems.add("augeas error: " + l));
        for (int i = 0; i < files.size(); i++) {
            String tree = "/files" + files.get(i) + "/";
            List<String> nodes = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            for (String line : output) {
                if (line.startsWith(tree)) {
                    String relative = line.substring(tree.length());
                    String label = relative.substring(0, relative.indexOf(" = "));
                    (label.contains("/") ? elements : nodes).add(withCommentIndex(relative));
                }
            }
            Expected expected = expected(settings.get(i));
            if (!expected.nodes().equals(nodes) || !expected.elements().equals(elements)) {
                problems.add("file " + files.get(i) + " reads back otherwise:\n  expected " + expected + "\n  augeas   "
                        + new Expected(nodes, elements) + "\n  rendered:\n" + render(settings.get(i)));
            }
        }
        return problems;
    }

    static String render(Settings settings) {
        return settings.section() == Section.LIBVIRT ? LibvirtdConf.render(new LibvirtConfiguration(settings))
                : VirtlogdConf.render(new VirtlogConfiguration(settings));
    }

    /** What augtool prints for a file rendered from the settings: top-level nodes, then list elements. */
    record Expected(List<String> nodes, List<String> elements) {}

    static Expected expected(Settings settings) {
        List<String> expected = new ArrayList<>();
        List<String> expectedElements = new ArrayList<>();
        int comments = 0;
        for (Field field : settings.section().fields()) {
            Object value = settings.get(field.name());
            if (field.rendering() instanceof Rendering.Key key) {
                if (isEmptyOptional(field.type(), value)) {
                    comments++;
                    expected.add("#comment[" + comments + "] = " + key.key() + " = " + (value instanceof List ? "[]" : "\"\""));
                } else if (value instanceof List<?> list) {
                    expected.add(key.key() + " = (none)");
                    for (int i = 0; i < list.size(); i++) {
                        expectedElements.add(key.key() + "/" + (i + 1) + " = " + list.get(i));
                    }
                } else {
                    expected.add(key.key() + " = " + (value instanceof Boolean b ? (b ? "1" : "0") : value.toString()));
                }
            } else if (field.rendering() instanceof Rendering.IgnoredByLibvirt ignored) {
                comments++;
                String written = value instanceof Boolean b ? (b ? "1" : "0")
                        : value instanceof String s ? "\"" + s + "\"" : value.toString();
                expected.add("#comment[" + comments + "] = " + ignored.key() + " = " + written + " (not read by libvirt 9.0)");
            }
        }
        return new Expected(expected, expectedElements);
    }

    /** augtool labels a lone comment "#comment", several "#comment[n]": number them all. */
    private static String withCommentIndex(String relative) {
        return relative.startsWith("#comment = ") ? "#comment[1]" + relative.substring("#comment".length()) : relative;
    }

    private static boolean isEmptyOptional(FieldType type, Object value) {
        return (type == FieldType.OPTIONAL_LIST && ((List<?>) value).isEmpty())
                || (type == FieldType.OPTIONAL_STRING && ((String) value).isEmpty());
    }

    private static List<String> run(Path augtool, String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(augtool.toString(), "--noautoload", "--root", "/")
                .redirectErrorStream(true).start();
        process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "augtool did not finish within 60 s");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "augtool failed:\n" + text);
        return text.lines().toList();
    }
}

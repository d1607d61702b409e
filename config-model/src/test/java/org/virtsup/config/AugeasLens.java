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
 * keys libvirt ships) of the version they are rendered for: each file must
 * parse, and the values augeas reads back must be the model's. Many files go
 * through one augtool run. libvirt 9.0's lenses are the system's (Debian 12),
 * libvirt 11.3's those Debian 13 ships (test resources lenses/libvirt-11.3,
 * loaded ahead of the system's).
 */
final class AugeasLens {
    private static final Path LENSES_11_3 = Path.of("src/test/resources/lenses/libvirt-11.3");
    private static final Path SYSTEM_LENSES = Path.of("/usr/share/augeas/lenses");

    private AugeasLens() {}

    /** {@link #problems(List, Path, LibvirtVersion)} for libvirt 9.0. */
    static List<String> problems(List<Settings> settings, Path directory) throws IOException, InterruptedException {
        return problems(settings, directory, LibvirtVersion.DEBIAN_12);
    }

    /** The problems of each file rendered from {@code settings} for libvirt {@code version}; skips without augtool. */
    static List<String> problems(List<Settings> settings, Path directory, LibvirtVersion version)
            throws IOException, InterruptedException {
        Path augtool = Tools.requireCommand("augtool", "augeas-tools");
        Path lenses = version.equals(LibvirtVersion.DEBIAN_13) ? LENSES_11_3 : SYSTEM_LENSES;
        for (String lens : List.of("libvirtd", "virtlogd")) {
            Tools.requireFile(lenses.resolve(lens + ".aug"), "libvirt " + version + "'s augeas lens");
        }
        List<Path> files = new ArrayList<>();
        List<String> script = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            boolean libvirtd = settings.get(i).section() == Section.LIBVIRT;
            String lens = libvirtd ? "Libvirtd" : "Virtlogd";
            Path file = directory.resolve(i + (libvirtd ? "-libvirtd.conf" : "-virtlogd.conf"));
            Files.writeString(file, render(settings.get(i), version), StandardCharsets.UTF_8);
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
        List<String> output = run(augtool, lenses, String.join("\n", script) + "\n");
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
            Expected expected = expected(settings.get(i), version);
            if (!expected.nodes().equals(nodes) || !expected.elements().equals(elements)) {
                problems.add("file " + files.get(i) + " reads back otherwise:\n  expected " + expected + "\n  augeas   "
                        + new Expected(nodes, elements) + "\n  rendered:\n" + render(settings.get(i), version));
            }
        }
        return problems;
    }

    static String render(Settings settings, LibvirtVersion version) {
        return settings.section() == Section.LIBVIRT ? LibvirtdConf.render(new LibvirtConfiguration(settings), version)
                : VirtlogdConf.render(new VirtlogConfiguration(settings), version);
    }

    /** What augtool prints for a file rendered from the settings: top-level nodes, then list elements. */
    record Expected(List<String> nodes, List<String> elements) {}

    static Expected expected(Settings settings, LibvirtVersion version) {
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
                expected.add("#comment[" + comments + "] = " + ignored.key() + " = " + written(value) + " "
                        + Rendering.IgnoredByLibvirt.note(version));
            } else if (field.rendering() instanceof Rendering.Extension extension && settings.isWritten(field.name())) {
                if (version.atLeast(extension.readFrom())) {
                    expected.add(extension.key() + " = " + (value instanceof Boolean b ? (b ? "1" : "0") : value.toString()));
                } else {
                    comments++;
                    expected.add("#comment[" + comments + "] = " + extension.key() + " = " + written(value) + " "
                            + extension.note(version));
                }
            }
        }
        return new Expected(expected, expectedElements);
    }

    private static String written(Object value) {
        return value instanceof Boolean b ? (b ? "1" : "0") : value instanceof String s ? "\"" + s + "\"" : value.toString();
    }

    /** augtool labels a lone comment "#comment", several "#comment[n]": number them all. */
    private static String withCommentIndex(String relative) {
        return relative.startsWith("#comment = ") ? "#comment[1]" + relative.substring("#comment".length()) : relative;
    }

    private static boolean isEmptyOptional(FieldType type, Object value) {
        return (type == FieldType.OPTIONAL_LIST && ((List<?>) value).isEmpty())
                || (type == FieldType.OPTIONAL_STRING && ((String) value).isEmpty());
    }

    /** augtool with the lenses of {@code lenses} ahead of the system's. */
    private static List<String> run(Path augtool, Path lenses, String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(augtool.toString(), "--noautoload", "--root", "/",
                        "-I", lenses.toAbsolutePath().toString())
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

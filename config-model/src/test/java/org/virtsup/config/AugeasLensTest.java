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
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered file parses under libvirt's own augeas lens (the list of
 * keys libvirt ships) of the version it is rendered for, and the values
 * augeas reads back are the model's: libvirt 9.0's lenses are the system's
 * (Debian 12), libvirt 11.3's those Debian 13 ships (test resources
 * lenses/libvirt-11.3, loaded ahead of the system's).
 */
class AugeasLensTest {
    private static final Path LENSES_11_3 = Path.of("src/test/resources/lenses/libvirt-11.3");

    static Stream<Arguments> renderedFiles() {
        List<Arguments> cases = new ArrayList<>();
        for (LibvirtVersion version : List.of(LibvirtVersion.DEBIAN_12, LibvirtVersion.DEBIAN_13)) {
            Configuration defaults = ConfigurationLoader.embeddedDefault(Golden.HOST).configuration().orElseThrow();
            cases.add(Arguments.of(version, "defaults", defaults.libvirt().orElseThrow().settings()));
            cases.add(Arguments.of(version, "defaults", defaults.virtlog().orElseThrow().settings()));
            cases.add(Arguments.of(version, "example-libvirt.scm",
                    Golden.configuration("example-libvirt.scm").libvirt().orElseThrow().settings()));
            cases.add(Arguments.of(version, "example-virtlog.scm",
                    Golden.configuration("example-virtlog.scm").virtlog().orElseThrow().settings()));
            for (String file : List.of("nondefault.scm", "extensions.scm")) {
                Configuration configuration = Golden.configuration(file);
                cases.add(Arguments.of(version, file, configuration.libvirt().orElseThrow().settings()));
                cases.add(Arguments.of(version, file, configuration.virtlog().orElseThrow().settings()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "libvirt {0}, {1}: {2}")
    @MethodSource("renderedFiles")
    void parsesUnderLibvirtsLensAndReadsBackTheModel(LibvirtVersion version, String source, Settings settings,
                                                     @TempDir Path directory) throws IOException, InterruptedException {
        Path augtool = Tools.requireCommand("augtool", "augeas-tools");
        boolean libvirtd = settings.section() == Section.LIBVIRT;
        String lens = libvirtd ? "Libvirtd" : "Virtlogd";
        Path lensDirectory = version.equals(LibvirtVersion.DEBIAN_13) ? LENSES_11_3 : Path.of("/usr/share/augeas/lenses");
        Tools.requireFile(lensDirectory.resolve(lens.toLowerCase() + ".aug"), "libvirt " + version + "'s augeas lens");
        Path file = directory.resolve(libvirtd ? "libvirtd.conf" : "virtlogd.conf");
        String rendered = libvirtd ? LibvirtdConf.render(new LibvirtConfiguration(settings), version)
                : VirtlogdConf.render(new VirtlogConfiguration(settings), version);
        Files.writeString(file, rendered, StandardCharsets.UTF_8);

        String tree = "/files" + file;
        String script = String.join("\n",
                "set /augeas/load/" + lens + "/lens " + lens + ".lns",
                "set /augeas/load/" + lens + "/incl " + file,
                "load",
                "match /augeas//error",
                "match " + tree + "/*",
                "match " + tree + "/*/*",
                "");
        List<String> output = run(augtool, lensDirectory, script);
        assertTrue(output.stream().noneMatch(l -> l.startsWith("/augeas")), () -> "augeas errors:\n" + String.join("\n", output));

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
        List<String> nodes = new ArrayList<>();
        List<String> elements = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith(tree + "/")) {
                String relative = line.substring(tree.length() + 1);
                String label = relative.substring(0, relative.indexOf(" = "));
                (label.contains("/") ? elements : nodes).add(withCommentIndex(relative));
            }
        }
        assertEquals(expected, nodes, () -> "augtool said:\n" + String.join("\n", output));
        assertEquals(expectedElements, elements);
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

package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtsup.config.read.ConfigurationBytes;
import org.virtsup.config.read.Datum;
import org.virtsup.config.read.DatumReader;
import org.virtsup.config.read.ReadException;

/** Reads and validates a configuration file's text, reporting every problem at once. */
public final class ConfigurationLoader {

    /** What {@link #embeddedDefault} loads: both services at their defaults. */
    public static final String EMBEDDED_DEFAULT_TEXT =
            "(service virtlog-service-type)\n"
            + "(service libvirt-service-type)\n";
    /** The name positions of the embedded default are reported under. */
    public static final String EMBEDDED_DEFAULT_NAME = "(embedded default)";
    /** How many problems a load reports before it only counts the rest. */
    public static final int MAX_DIAGNOSTICS = 100;

    private ConfigurationLoader() {}

    /** The result: a configuration iff no ERROR diagnostic; diagnostics sorted by position. */
    public record Loaded(Optional<Configuration> configuration, List<Diagnostic> diagnostics) {
        public Loaded {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR);
        }

        public List<Diagnostic> errors() {
            return diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).toList();
        }

        public List<Diagnostic> warnings() {
            return diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).toList();
        }
    }

    /** Reads {@code text}, written in the file {@code fileName}; {@code hostName} gives mdns-name's default. */
    public static Loaded load(String fileName, String text, String hostName) {
        return load(fileName, text, hostName, Optional.of(Path.of(fileName)));
    }

    /**
     * Reads a file's {@code bytes} (as {@link ConfigurationBytes#read} gives them):
     * any bytes give a configuration or positioned errors, never an exception.
     */
    public static Loaded load(String fileName, byte[] bytes, String hostName) {
        String text;
        try {
            text = ConfigurationBytes.decode(fileName, bytes);
        } catch (ReadException e) {
            return refused(e);
        }
        return load(fileName, text, hostName);
    }

    /** No file: both services with their defaults. */
    public static Loaded embeddedDefault(String hostName) {
        return load(EMBEDDED_DEFAULT_NAME, EMBEDDED_DEFAULT_TEXT, hostName, Optional.empty());
    }

    private static Loaded load(String fileName, String text, String hostName, Optional<Path> source) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<Datum> data;
        try {
            ConfigurationBytes.checkLength(fileName, text);
            data = DatumReader.read(fileName, text);
        } catch (ReadException e) {
            return refused(e);
        }
        Map<Section, Settings> forms = FormReader.read(data, hostName, diagnostics);
        Position fileStart = new Position(fileName, 1, 1);
        Validator.validate(forms, fileStart, hostName, diagnostics);
        diagnostics.sort(null);
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR)) {
            return new Loaded(Optional.empty(), firstOf(diagnostics));
        }
        Settings supervisor = forms.getOrDefault(Section.SUPERVISOR, Settings.defaults(Section.SUPERVISOR, fileStart, hostName));
        Configuration configuration = new Configuration(source,
                Optional.ofNullable(forms.get(Section.LIBVIRT)).map(LibvirtConfiguration::new),
                Optional.ofNullable(forms.get(Section.VIRTLOG)).map(VirtlogConfiguration::new),
                new SupervisorConfiguration(supervisor));
        return new Loaded(Optional.of(configuration), firstOf(diagnostics));
    }

    private static Loaded refused(ReadException e) {
        return new Loaded(Optional.empty(), List.of(Diagnostic.error(e.position(), e.getMessage())));
    }

    /**
     * At most {@link #MAX_DIAGNOSTICS} problems, then one saying how many more
     * there are: a file of thousands of wrong data would otherwise print a
     * message for each (as compilers do, the first ones are what to fix).
     */
    static List<Diagnostic> firstOf(List<Diagnostic> sorted) {
        if (sorted.size() <= MAX_DIAGNOSTICS) {
            return sorted;
        }
        List<Diagnostic> shown = new ArrayList<>(sorted.subList(0, MAX_DIAGNOSTICS));
        Diagnostic next = sorted.get(MAX_DIAGNOSTICS);
        int more = sorted.size() - MAX_DIAGNOSTICS;
        boolean errors = sorted.subList(MAX_DIAGNOSTICS, sorted.size()).stream().anyMatch(d -> d.severity() == Severity.ERROR);
        String text = more + " more problem" + (more == 1 ? "" : "s") + " from here on are not shown (virtsup shows the first "
                + MAX_DIAGNOSTICS + "); fix the ones above and check again";
        shown.add(errors ? Diagnostic.error(next.position(), text) : Diagnostic.warning(next.position(), text));
        return shown;
    }
}

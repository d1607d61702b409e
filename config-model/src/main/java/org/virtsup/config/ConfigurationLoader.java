package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** No file: both services with their defaults. */
    public static Loaded embeddedDefault(String hostName) {
        return load(EMBEDDED_DEFAULT_NAME, EMBEDDED_DEFAULT_TEXT, hostName, Optional.empty());
    }

    private static Loaded load(String fileName, String text, String hostName, Optional<Path> source) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<Datum> data;
        try {
            data = DatumReader.read(fileName, text);
        } catch (ReadException e) {
            return new Loaded(Optional.empty(), List.of(Diagnostic.error(e.position(), e.getMessage())));
        }
        Map<Section, Settings> forms = FormReader.read(data, hostName, diagnostics);
        Position fileStart = new Position(fileName, 1, 1);
        Validator.validate(forms, fileStart, hostName, diagnostics);
        diagnostics.sort(null);
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR)) {
            return new Loaded(Optional.empty(), diagnostics);
        }
        Settings supervisor = forms.getOrDefault(Section.SUPERVISOR, Settings.defaults(Section.SUPERVISOR, fileStart, hostName));
        Configuration configuration = new Configuration(source,
                Optional.ofNullable(forms.get(Section.LIBVIRT)).map(LibvirtConfiguration::new),
                Optional.ofNullable(forms.get(Section.VIRTLOG)).map(VirtlogConfiguration::new),
                new SupervisorConfiguration(supervisor));
        return new Loaded(Optional.of(configuration), diagnostics);
    }
}

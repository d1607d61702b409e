package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The validator over generated configurations: it always answers, points each
 * problem at the field (or form) it concerns, accepts every value its rules
 * accept, and the values it accepts are the ones written.
 */
class ValidatorPropertyTest {
    private static final FuzzCount ANY = new FuzzCount("validator over any values");
    private static final FuzzCount VALID = new FuzzCount("validator over valid values");

    /** The rules that relate two fields: the only errors a file of individually valid values can have. */
    private static final List<String> CROSS_FIELD = List.of(
            "fields key-file, cert-file and ca-file go together", "field 'min-workers': ");

    @Property(tries = 1500)
    void everyProblemIsAtAFieldOrFormThatWasWritten(@ForAll("anyConfiguration") GeneratedConfigurations.Generated generated) {
        ANY.check(() -> {
            ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("gen.scm", generated.text(), GeneratedConfigurations.HOST);
            Statistics.label("outcome").collect(loaded.hasErrors() ? "refused" : "accepted");
            assertEquals(loaded.configuration().isEmpty(), loaded.hasErrors());
            for (Diagnostic d : loaded.diagnostics()) {
                int line = d.position().line();
                assertTrue(generated.lines().containsKey(line) || line == 1, () -> d.format() + " is on no written field");
            }
            loaded.configuration().ifPresent(c -> sameValues(generated, c));
        });
    }

    @Property(tries = 1500)
    void valuesThatTheirRulesAcceptAreAcceptedAsWritten(@ForAll("validConfiguration") GeneratedConfigurations.Generated generated) {
        VALID.check(() -> {
            ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("gen.scm", generated.text(), GeneratedConfigurations.HOST);
            Statistics.label("outcome").collect(loaded.hasErrors() ? "refused by a cross-field rule" : "accepted");
            Statistics.label("fields written").collect(generated.forms().values().stream().mapToInt(List::size).sum() / 10 * 10 + "+");
            for (Diagnostic error : loaded.errors()) {
                assertTrue(CROSS_FIELD.stream().anyMatch(error.message()::startsWith), error::format);
            }
            loaded.configuration().ifPresent(c -> sameValues(generated, c));
        });
    }

    @AfterContainer
    static void printCounts() {
        ANY.print();
        VALID.print();
    }

    /** Every value written with its field's type reads back equal. */
    static void sameValues(GeneratedConfigurations.Generated generated, Configuration configuration) {
        for (Map.Entry<Section, List<GeneratedConfigurations.Entry>> form : generated.forms().entrySet()) {
            Settings settings = switch (form.getKey()) {
                case LIBVIRT -> configuration.libvirt().orElseThrow().settings();
                case VIRTLOG -> configuration.virtlog().orElseThrow().settings();
                case SUPERVISOR -> configuration.supervisor().settings();
            };
            generated.values(form.getKey()).forEach((name, value) -> assertEquals(value, settings.get(name), name));
        }
    }

    @Provide
    Arbitrary<GeneratedConfigurations.Generated> anyConfiguration() {
        return GeneratedConfigurations.any();
    }

    @Provide
    Arbitrary<GeneratedConfigurations.Generated> validConfiguration() {
        return GeneratedConfigurations.valid();
    }
}

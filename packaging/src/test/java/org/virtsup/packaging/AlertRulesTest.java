package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample alert rules, by Prometheus's own promtool (Debian's prometheus
 * package): they load, and they fire when a daemon restarts too often or
 * stays down, and only then (promtool test rules on made-up series).
 */
class AlertRulesTest {
    private static final Path RULES = Path.of("prometheus", "virtsup-alerts.yml");
    private static final Path RULE_TESTS = Path.of("prometheus", "virtsup-alerts-test.yml");

    @BeforeAll
    static void promtool() {
        OutsideTool.require("promtool (Debian's prometheus package)", List.of("promtool", "--version"));
    }

    @Test
    void promtoolAcceptsTheRules() {
        OutsideTool.Outcome checked = OutsideTool.run(List.of("promtool", "check", "rules", RULES.toString()), Map.of(), 60)
                .expectSuccess();
        assertTrue(checked.stdout().contains("SUCCESS: 3 rules found"), checked.stdout());
    }

    @Test
    void theAlertsFireOnTheSeriesTheyAreMeantFor() {
        OutsideTool.Outcome tested = OutsideTool.run(List.of("promtool", "test", "rules", RULE_TESTS.toString()), Map.of(), 60)
                .expectSuccess();
        assertTrue(tested.stdout().contains("SUCCESS"), tested.stdout());
    }
}

package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command's logging: to stderr, "virtsup: LEVEL Logger: message", warnings and up unless told. */
class CommandLoggingTest {
    private static String logged(Map<String, String> properties) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what SLF4J's binding gives the real one
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            CommandLogging.install(context, properties::get);
            org.slf4j.Logger log = context.getLogger("org.virtsup.config.Validator");
            log.info("told");
            log.warn("careful");
            log.error("broken");
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void warningsAndErrorsGoToStderrByDefault() {
        assertEquals("virtsup: WARN  Validator: careful\nvirtsup: ERROR Validator: broken\n", logged(Map.of()));
    }

    @Test
    void thePropertyRaisesTheLevel() {
        assertEquals("virtsup: INFO  Validator: told\nvirtsup: WARN  Validator: careful\nvirtsup: ERROR Validator: broken\n",
                logged(Map.of("virtsup.log.level", "INFO")));
    }

    @Test
    void logbackFindsThisConfigurationAsAService() throws Exception {
        try (var services = CommandLogging.class.getClassLoader().getResourceAsStream(
                "META-INF/services/ch.qos.logback.classic.spi.Configurator")) {
            assertTrue(services != null && new String(services.readAllBytes(), StandardCharsets.UTF_8).trim()
                    .equals(CommandLogging.class.getName()), "the service file names CommandLogging");
        }
    }
}

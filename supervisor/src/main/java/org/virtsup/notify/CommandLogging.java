package org.virtsup.notify;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.function.UnaryOperator;

/**
 * Logback's configuration for every command, found by Logback through
 * {@code META-INF/services} before it looks for a logback.xml: virtsup logs
 * to stderr only (stdout belongs to commands such as render; under systemd or
 * a container runtime stderr is the journal, the log), warnings and errors by
 * default so that the CLI stays quiet; {@code -Dvirtsup.log.level=INFO} (or
 * DEBUG) raises the level. In code rather than XML: reading XML costs
 * Logback's parser and some 250 of its classes on every start, about a fifth
 * of {@code virtsup run}'s CPU before the daemons are up (measured), and
 * its lines are written by {@link LineLayout}, not a compiled pattern. A
 * logback-test.xml on the class path, or {@code -Dlogback.configurationFile},
 * still wins: this configurator then stands aside.
 */
public final class CommandLogging extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || CommandLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        install(context, System::getProperty);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code properties}: the system properties (virtsup.log.level), a parameter for the tests. */
    static void install(LoggerContext context, UnaryOperator<String> properties) {
        NopStatusListener quiet = new NopStatusListener();
        context.getStatusManager().add(quiet);
        Encoder<ILoggingEvent> encoder = RunLogging.encoder(context, LineLayout.forCommands());
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDERR");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String level = properties.apply("virtsup.log.level");
        // As logback.xml's ${virtsup.log.level:-WARN} did: an unknown name is DEBUG, Logback's own reading.
        root.setLevel(level == null ? Level.WARN : Level.toLevel(level));
        root.addAppender(console);
    }
}

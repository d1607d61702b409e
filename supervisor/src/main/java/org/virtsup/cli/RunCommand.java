package org.virtsup.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.read.Position;

/** {@code virtsup run}: supervise libvirtd and virtlogd until told to stop. */
final class RunCommand implements ValidConfigurationCommand {

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "start virtlogd and libvirtd and keep them running (the main job)";
    }

    @Override
    public String help() {
        return """
                usage: virtsup run [--config FILE]
                Validates the configuration and the host exactly as 'virtsup check' does (any
                problem: the same lines, exit 78, nothing started, nothing written). Then
                renders libvirtd.conf and virtlogd.conf into the state directory, prepares the
                socket directories, starts virtlogd, waits for its READY=1, starts libvirtd,
                and keeps both running: a daemon that dies is restarted at once, then with
                exponential backoff. Serves the control socket ('virtsup status', ...).
                Needs root. Refuses to start while a copy of a daemon runs outside it.

                Signals:
                  TERM, INT  stop libvirtd, then virtlogd (TERM, KILL after stop-timeout), exit 0
                  HUP        reload the configuration: virtlogd re-executes if its file changed,
                             libvirtd restarts if its file changed, else gets SIGHUP
                  USR1       virtlogd re-executes itself in place (same pid, logs kept)
                Only a daemon's own pid is ever signalled: running guests are never touched.

                """ + Arguments.CONFIG_OPTIONS + """

                Exit status: 0 stopped cleanly, 1 failure (e.g. a daemon already running outside
                virtsup, or a FAILED daemon with exit-on-failure?), 78 invalid configuration.
                """;
    }

    @Override
    public int run(ConfigurationSource.Valid valid, Invocation invocation) {
        Configuration configuration = valid.configuration();
        // A reload reads the file virtsup started from, even when that was the
        // default one: had it been deleted, falling back to the embedded default
        // would silently change the host. Started on the embedded default, a
        // reload looks again (a new /etc/virtsup/config.scm is taken up).
        Optional<String> source = configuration.source().map(Path::toString).or(valid.arguments()::config);
        return Running.start(configuration, () -> reread(source, invocation), invocation.host()::libvirtdVersion);
    }

    /**
     * The configuration again, for a reload: never throws, so that an unreadable
     * file becomes a refused reload (the daemons keep running), not a failure.
     */
    private static ConfigurationLoader.Loaded reread(Optional<String> explicit, Invocation invocation) {
        try {
            return ConfigurationSource.loadChecked(explicit, invocation).loaded();
        } catch (CliException.InvalidConfiguration e) {
            // e.g. the file was removed: the message already has the FILE: error: form.
            return new ConfigurationLoader.Loaded(Optional.empty(), List.of(Diagnostic.error(
                    new Position(explicit.orElse(Invocation.DEFAULT_CONFIG.toString()), 1, 1),
                    e.getMessage().replaceFirst("^.*?: error: ", ""))));
        }
    }
}

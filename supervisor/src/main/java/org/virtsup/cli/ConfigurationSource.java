package org.virtsup.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.read.ConfigurationBytes;
import org.virtsup.host.HostChecks;

/** Finds and loads the configuration: --config FILE, else the default file if it exists, else the embedded default. */
final class ConfigurationSource {
    private ConfigurationSource() {}

    /** The name used in messages for what was loaded. */
    record Result(String name, ConfigurationLoader.Loaded loaded) {}

    static Result load(Optional<String> explicit, Invocation invocation) {
        String hostName = invocation.hostName().get();
        if (explicit.isPresent()) {
            return read(explicit.get(), hostName);
        }
        if (Files.exists(invocation.defaultConfig())) {
            return read(invocation.defaultConfig().toString(), hostName);
        }
        return new Result(ConfigurationLoader.EMBEDDED_DEFAULT_NAME, ConfigurationLoader.embeddedDefault(hostName));
    }

    private static Result read(String file, String hostName) {
        byte[] bytes;
        try {
            bytes = ConfigurationBytes.read(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliException.InvalidConfiguration(file + ": error: the configuration file does not exist");
        } catch (AccessDeniedException e) {
            throw new CliException.InvalidConfiguration(file + ": error: the configuration file cannot be read: permission denied");
        } catch (IOException e) {
            throw new CliException.InvalidConfiguration(file + ": error: the configuration file cannot be read: " + e.getMessage());
        }
        return new Result(file, ConfigurationLoader.load(file, bytes, hostName));
    }

    /**
     * Loads as {@link #load} does, then, when the configuration itself is valid,
     * adds what this host lacks for it (groups, TLS files, the daemons'
     * programs) as further errors: what {@code check} reports and {@code run}
     * refuses to start with.
     */
    static Result loadChecked(Optional<String> explicit, Invocation invocation) {
        Result result = load(explicit, invocation);
        ConfigurationLoader.Loaded loaded = result.loaded();
        if (loaded.hasErrors()) {
            return result;
        }
        List<Diagnostic> hostProblems = new HostChecks(invocation.host()).check(loaded.configuration().orElseThrow());
        if (hostProblems.isEmpty()) {
            return result;
        }
        List<Diagnostic> all = new ArrayList<>(loaded.diagnostics());
        all.addAll(hostProblems);
        all.sort(null);
        return new Result(result.name(), new ConfigurationLoader.Loaded(Optional.empty(), all));
    }

    /** A configuration that passed every check, with the command's arguments. */
    record Valid(Arguments arguments, Result result) {
        Configuration configuration() {
            return result.loaded().configuration().orElseThrow();
        }
    }

    /**
     * For a command that takes only options: parses them and loads the
     * configuration with every check, diagnostics printed; empty when --help
     * was printed instead. Errors end the command with 78.
     */
    static Optional<Valid> forCommand(List<String> arguments, Command command, Invocation invocation) {
        Optional<Arguments> parsed = Arguments.ofConfigCommand(arguments, 0, command, invocation);
        return parsed.map(args -> new Valid(args, loadValid(args.config(), invocation)));
    }

    /** {@link #loadChecked}, its diagnostics printed; a configuration with errors ends the command with 78. */
    static Result loadValid(Optional<String> explicit, Invocation invocation) {
        Result result = loadChecked(explicit, invocation);
        report(result, invocation);
        return result;
    }

    /** Prints the diagnostics to stderr; exits 78 through an exception when there are errors. */
    static void report(Result result, Invocation invocation) {
        for (Diagnostic d : result.loaded().diagnostics()) {
            invocation.err().println(d.format());
        }
        if (result.loaded().hasErrors()) {
            throw new CliException.InvalidConfiguration(null);
        }
    }
}

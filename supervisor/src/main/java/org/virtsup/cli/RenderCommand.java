package org.virtsup.cli;

import java.util.List;
import java.util.Optional;
import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtdConf;
import org.virtsup.config.VirtlogdConf;

/** {@code virtsup render libvirtd|virtlogd}: print the file a daemon would be started with. */
final class RenderCommand implements Command {

    @Override
    public String name() {
        return "render";
    }

    @Override
    public String summary() {
        return "print the libvirtd.conf or virtlogd.conf the configuration gives";
    }

    @Override
    public String help() {
        return """
                usage: virtsup render [--config FILE] libvirtd|virtlogd
                Prints to stdout, and nothing else there, the libvirtd.conf or virtlogd.conf
                that virtsup would write for the configuration. Problems go to stderr.

                """ + Arguments.CONFIG_OPTIONS + """

                Exit status: 0 rendered, 78 invalid configuration, 2 usage,
                1 the daemon's service is not declared.
                """;
    }

    @Override
    public int run(List<String> arguments, Invocation invocation) {
        Optional<Arguments> parsed = Arguments.ofConfigCommand(arguments, 1, this, invocation);
        if (parsed.isEmpty()) {
            return ExitCode.OK;
        }
        Arguments args = parsed.get();
        if (args.operands().isEmpty()) {
            throw new CliException.Usage("which file? name libvirtd or virtlogd", usage());
        }
        String daemon = args.operands().get(0);
        if (!daemon.equals("libvirtd") && !daemon.equals("virtlogd")) {
            throw new CliException.Usage("unknown daemon '" + daemon + "'; allowed: libvirtd, virtlogd", usage());
        }
        ConfigurationSource.Result result = ConfigurationSource.load(args.config(), invocation);
        ConfigurationSource.report(result, invocation);
        Configuration configuration = result.loaded().configuration().orElseThrow();
        String text = daemon.equals("libvirtd")
                ? configuration.libvirt().map(LibvirtdConf::render).orElseThrow(() -> notDeclared(result.name(), "libvirt-service-type", daemon))
                : configuration.virtlog().map(VirtlogdConf::render).orElseThrow(() -> notDeclared(result.name(), "virtlog-service-type", daemon));
        invocation.out().print(text);
        return ExitCode.OK;
    }

    private static CliException notDeclared(String source, String serviceType, String daemon) {
        return new CliException(source + " declares no " + serviceType + ": virtsup does not run " + daemon
                + "; add (service " + serviceType + ") to render it");
    }
}

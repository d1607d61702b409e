package org.virtsup.host;

import java.util.ArrayList;
import java.util.List;
import org.virtsup.config.Configuration;
import org.virtsup.config.Diagnostic;
import org.virtsup.config.LibvirtConfiguration;
import org.virtsup.config.VersionCheck;
import org.virtsup.config.read.Position;

/**
 * What a valid configuration still needs from this host before the daemons
 * can start: the groups it names, the TLS files libvirtd will load, the
 * daemons' programs, and the fields the installed libvirt does not read.
 * Each problem is positioned at the field that caused it.
 */
public final class HostChecks {
    private final Host host;

    public HostChecks(Host host) {
        this.host = host;
    }

    /** Every problem, sorted by position. */
    public List<Diagnostic> check(Configuration configuration) {
        List<Diagnostic> problems = new ArrayList<>();
        configuration.libvirt().ifPresent(libvirt -> {
            group(problems, libvirt.unixSockGroup(), libvirt.positionOf("unix-sock-group"), "unix-sock-group");
            if (configuration.supervisor().listen() && libvirt.listenTls()) {
                tlsFiles(problems, libvirt);
                port(problems, libvirt, "tls-port", libvirt.tlsPort());
            }
            if (configuration.supervisor().listen() && libvirt.listenTcp()) {
                port(problems, libvirt, "tcp-port", libvirt.tcpPort());
            }
            program(problems, configuration.libvirtdPath(), libvirt.positionOf("libvirt"), "libvirtd");
        });
        group(problems, configuration.supervisor().controlGroup(), configuration.supervisor().positionOf("control-group"), "control-group");
        configuration.virtlog().ifPresent(virtlog -> {
            Position at = configuration.libvirt().map(l -> l.positionOf("libvirt"))
                    .orElse(virtlog.settings().formPosition());
            program(problems, configuration.virtlogdPath(), at, "virtlogd");
        });
        // Fields the installed libvirt does not read (yet): which libvirt ignores them.
        if (configuration.libvirt().isPresent() || configuration.virtlog().isPresent()) {
            host.libvirtVersion(configuration.libvirtdPath())
                    .ifPresent(version -> problems.addAll(VersionCheck.check(configuration, version)));
        }
        problems.sort(null);
        return problems;
    }

    private void group(List<Diagnostic> problems, String group, Position at, String field) {
        if (!host.groupExists(group)) {
            problems.add(Diagnostic.error(at, "field '" + field + "': group \"" + group + "\" does not exist on this host;"
                    + " create it (groupadd " + group + ") or name an existing group"));
        }
    }

    /** Only the files the configuration names: an empty path means libvirt loads none (virnettlscontext.c). */
    private void tlsFiles(List<Diagnostic> problems, LibvirtConfiguration libvirt) {
        file(problems, libvirt, "key-file", libvirt.keyFile());
        file(problems, libvirt, "cert-file", libvirt.certFile());
        file(problems, libvirt, "ca-file", libvirt.caFile());
        file(problems, libvirt, "crl-file", libvirt.crlFile());
    }

    private void file(List<Diagnostic> problems, LibvirtConfiguration libvirt, String field, String path) {
        if (!path.isEmpty() && !host.isReadableFile(path)) {
            problems.add(Diagnostic.error(libvirt.positionOf(field), "field '" + field + "': \"" + path + "\" "
                    + (host.exists(path) ? "is not a readable file" : "does not exist")
                    + "; libvirtd needs it to listen for TLS connections"));
        }
    }

    /** A port given by name must resolve, or libvirtd fails to open its socket at start. */
    private void port(List<Diagnostic> problems, LibvirtConfiguration libvirt, String field, String port) {
        if (!port.chars().allMatch(Character::isDigit) && !host.tcpServiceExists(port)) {
            problems.add(Diagnostic.error(libvirt.positionOf(field), "field '" + field + "': service name \"" + port
                    + "\" is not a TCP service in /etc/services, so libvirtd cannot listen on it; write a port number such as \""
                    + (field.equals("tls-port") ? "16514" : "16509") + "\""));
        }
    }

    private void program(List<Diagnostic> problems, String path, Position at, String daemon) {
        if (!host.isExecutableFile(path)) {
            problems.add(Diagnostic.error(at, "field 'libvirt': " + daemon + " is not an executable file at " + path
                    + (host.exists(path) ? "" : " (it does not exist)")
                    + "; install libvirt (Debian: apt-get install libvirt-daemon) or set the libvirt prefix to where it is installed"));
        }
    }
}

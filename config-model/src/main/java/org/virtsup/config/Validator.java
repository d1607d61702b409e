package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtsup.config.read.Datum;

/**
 * Checks read settings against what libvirt accepts (errors) and points
 * out settings that are valid but have no effect or are risky (warnings).
 * Pure: checks that need the host live in the supervisor's host package.
 */
final class Validator {
    private final List<Diagnostic> diagnostics;

    private Validator(List<Diagnostic> diagnostics) {
        this.diagnostics = diagnostics;
    }

    static void validate(Map<Section, Settings> forms, Position fileStart, String hostName, List<Diagnostic> diagnostics) {
        Validator v = new Validator(diagnostics);
        for (Settings settings : forms.values()) {
            v.fieldRules(settings);
        }
        Settings supervisor = forms.getOrDefault(Section.SUPERVISOR, Settings.defaults(Section.SUPERVISOR, fileStart, hostName));
        Settings libvirt = forms.get(Section.LIBVIRT);
        if (libvirt != null) {
            v.libvirt(libvirt, supervisor, hostName);
        } else {
            v.warning(fileStart, "no libvirt-service-type is declared: virtsup will not run libvirtd; add (service libvirt-service-type)");
        }
        if (forms.get(Section.VIRTLOG) == null) {
            v.warning(fileStart, "no virtlog-service-type is declared: libvirtd's QEMU driver needs virtlogd to start guests; add (service virtlog-service-type)");
        }
    }

    /** The catalog's rule of each written field, and whether a string can be written in the daemon's syntax. */
    private void fieldRules(Settings settings) {
        for (Field field : settings.section().fields()) {
            if (!settings.isWritten(field.name())) {
                continue;
            }
            Object value = settings.get(field.name());
            Position at = settings.positionOf(field.name());
            String name = "field '" + field.name() + "': ";
            if (field.writtenToFile()) {
                Optional<String> unwritable = unwritable(value);
                if (unwritable.isPresent()) {
                    error(at, name + unwritable.get());
                    continue;
                }
            }
            field.rule().problem(value).ifPresent(problem -> error(at, name + problem));
        }
    }

    /** libvirt's strings have no escapes: a double quote or a line break cannot be written, nor a backslash its lens refuses. */
    private static Optional<String> unwritable(Object value) {
        List<?> strings = value instanceof List<?> list ? list : value instanceof String ? List.of(value) : List.of();
        for (Object item : strings) {
            String s = (String) item;
            if (s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                return Optional.of(Datum.quoted(s) + " cannot be written in libvirt's configuration syntax, which has no escapes;"
                        + " remove the double quotes and line breaks");
            }
            if (s.indexOf('\\') >= 0) {
                // libvirt keeps a backslash as is, but its own augeas lens, which configuration tools edit the file
                // with, refuses the whole file: the file must parse under that lens.
                return Optional.of(Datum.quoted(s) + " holds a backslash, which libvirt's own augeas lens refuses in a"
                        + " string (tools that edit the file with it would fail on it); remove the backslash");
            }
            if (s.indexOf('\0') >= 0) {
                return Optional.of(Datum.quoted(s) + " holds a NUL character, which ends a string for libvirt; remove it");
            }
        }
        return Optional.empty();
    }

    private void libvirt(Settings libvirt, Settings supervisor, String hostName) {
        tlsFiles(libvirt);
        if (libvirt.isWritten("min-workers") || libvirt.isWritten("max-workers")) {
            long min = libvirt.integer("min-workers");
            long max = libvirt.integer("max-workers");
            if (min > max && max >= 1) {
                error(libvirt.positionOf(libvirt.isWritten("min-workers") ? "min-workers" : "max-workers"),
                        "field 'min-workers': " + min + " is above max-workers (" + max + "); allowed: 0 to " + max);
            }
        }
        for (Field field : Section.LIBVIRT.fields()) {
            if (field.rendering() instanceof Rendering.IgnoredByLibvirt && libvirt.isWritten(field.name())
                    && !libvirt.get(field.name()).equals(field.defaultValue().value(hostName))) {
                warning(libvirt.positionOf(field.name()), "field '" + field.name() + "' is set to "
                        + field.type().write(libvirt.get(field.name())) + " but libvirt no longer reads it (9.0 and later do not): it has no effect");
            }
        }
        boolean listen = supervisor.bool("listen?");
        for (String flag : List.of("listen-tls?", "listen-tcp?")) {
            if (!listen && libvirt.isWritten(flag) && libvirt.bool(flag)) {
                warning(libvirt.positionOf(flag), "field '" + flag + "' is #t but has no effect: libvirtd opens TCP/TLS sockets only"
                        + " with --listen; set (listen? #t) in (supervisor-configuration ...)");
            }
        }
        if (listen && libvirt.bool("listen-tcp?") && libvirt.string("auth-tcp").equals("none")) {
            warning(libvirt.positionOf("auth-tcp"), "field 'auth-tcp': \"none\" with TCP listening on lets anyone who reaches "
                    + Datum.quoted(libvirt.string("listen-addr") + ":" + libvirt.string("tcp-port")) + " manage this host, unencrypted; use \"sasl\"");
        }
        if (listen && libvirt.bool("listen-tls?") && libvirt.string("key-file").isEmpty()
                && libvirt.string("cert-file").isEmpty() && libvirt.string("ca-file").isEmpty()) {
            warning(libvirt.positionOf("listen-tls?"), "field 'listen-tls?': TLS listening is on but key-file, cert-file and ca-file"
                    + " are empty, so libvirtd loads no certificate and every TLS connection fails; set the three files"
                    + " (e.g. /etc/pki/libvirt/private/serverkey.pem, /etc/pki/libvirt/servercert.pem, /etc/pki/CA/cacert.pem)"
                    + " or turn listen-tls? off");
        }
        if (listen && libvirt.bool("listen-tls?") && libvirt.bool("tls-no-verify-cert") && libvirt.string("auth-tls").equals("none")) {
            warning(libvirt.positionOf("tls-no-verify-cert"), "field 'tls-no-verify-cert': #t with auth-tls \"none\" lets any TLS client"
                    + " manage this host without authentication; verify client certificates or use auth-tls \"sasl\"");
        }
        String rwPerms = libvirt.string("unix-sock-rw-perms");
        if (libvirt.string("auth-unix-rw").equals("none") && rwPerms.matches("[0-7]{1,5}") && (Integer.parseInt(rwPerms, 8) & 02) != 0) {
            warning(libvirt.positionOf("unix-sock-rw-perms"), "field 'unix-sock-rw-perms': " + Datum.quoted(rwPerms)
                    + " lets every local user write to the read-write socket and auth-unix-rw is \"none\": any user can manage this host"
                    + " (effectively root); remove the write bit for others or use auth-unix-rw \"polkit\"");
        }
    }

    /** libvirt refuses to start TLS with some but not all of key, certificate and CA. */
    private void tlsFiles(Settings libvirt) {
        List<String> names = List.of("key-file", "cert-file", "ca-file");
        List<String> set = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        for (String name : names) {
            (libvirt.string(name).isEmpty() ? unset : set).add(name);
        }
        if (!set.isEmpty() && !unset.isEmpty()) {
            error(libvirt.positionOf(set.get(0)), "fields key-file, cert-file and ca-file go together: " + String.join(" and ", set)
                    + (set.size() == 1 ? " is" : " are") + " set but " + String.join(" and ", unset)
                    + (unset.size() == 1 ? " is" : " are") + " empty; set all three or none");
        }
    }

    private void error(Position at, String message) {
        diagnostics.add(Diagnostic.error(at, message));
    }

    private void warning(Position at, String message) {
        diagnostics.add(Diagnostic.warning(at, message));
    }
}

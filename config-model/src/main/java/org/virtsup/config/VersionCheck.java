package org.virtsup.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the libvirt that runs makes of a configuration, beyond what every
 * supported libvirt accepts (the loader's checks): a virtsup extension set
 * for a libvirt that does not read its key yet is written as a comment and
 * has no effect, and the operator is told which libvirt ignores it.
 */
public final class VersionCheck {
    private VersionCheck() {}

    /** Warnings for {@code configuration} run by libvirt {@code version}. */
    public static List<Diagnostic> check(Configuration configuration, LibvirtVersion version) {
        List<Diagnostic> warnings = new ArrayList<>();
        configuration.libvirt().ifPresent(libvirt -> extensions(libvirt.settings(), version, warnings));
        configuration.virtlog().ifPresent(virtlog -> extensions(virtlog.settings(), version, warnings));
        return List.copyOf(warnings);
    }

    private static void extensions(Settings settings, LibvirtVersion version, List<Diagnostic> warnings) {
        String daemon = settings.section() == Section.LIBVIRT ? "libvirtd" : "virtlogd";
        for (Field field : settings.section().fields()) {
            unread(field, version).filter(extension -> settings.isWritten(field.name())).ifPresent(extension ->
                    warnings.add(Diagnostic.warning(settings.positionOf(field.name()), "field '" + field.name()
                            + "': libvirt " + version + " (the " + daemon + " virtsup runs) does not read "
                            + extension.key() + "; libvirt " + extension.readFrom().release() + " and later do."
                            + " It is written as a comment and has no effect")));
        }
    }

    private static Optional<Rendering.Extension> unread(Field field, LibvirtVersion version) {
        return field.rendering() instanceof Rendering.Extension extension && !version.atLeast(extension.readFrom())
                ? Optional.of(extension) : Optional.empty();
    }
}

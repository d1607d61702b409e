package org.virtsup.config;

import org.virtsup.config.read.Position;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RenderingTest {

    @Test
    void embeddedDefaultRendersBothDaemonsDefaults() {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.embeddedDefault(Golden.HOST);
        assertEquals(List.of(), loaded.diagnostics());
        Configuration c = loaded.configuration().orElseThrow();
        assertTrue(c.source().isEmpty());
        assertEquals(Golden.text("libvirtd-defaults.conf"), LibvirtdConf.render(c.libvirt().orElseThrow()));
        assertEquals(Golden.text("virtlogd-defaults.conf"), VirtlogdConf.render(c.virtlog().orElseThrow()));
    }

    @Test
    void libvirtExampleOfTheSpecification() {
        Configuration c = Golden.configuration("example-libvirt.scm");
        assertTrue(c.virtlog().isEmpty());
        assertEquals(Golden.text("example-libvirt.libvirtd.conf"), LibvirtdConf.render(c.libvirt().orElseThrow()));
    }

    @Test
    void virtlogExampleOfTheSpecification() {
        Configuration c = Golden.configuration("example-virtlog.scm");
        assertTrue(c.libvirt().isEmpty());
        assertEquals(Golden.text("example-virtlog.virtlogd.conf"), VirtlogdConf.render(c.virtlog().orElseThrow()));
    }

    @Test
    void everyTypeAwayFromItsDefault() {
        Configuration c = Golden.configuration("nondefault.scm");
        assertEquals(Golden.text("nondefault.libvirtd.conf"), LibvirtdConf.render(c.libvirt().orElseThrow()));
        assertEquals(Golden.text("nondefault.virtlogd.conf"), VirtlogdConf.render(c.virtlog().orElseThrow()));
    }

    @Test
    void virtlogdConfHasExactlySixLinesAndNoBlankLine() {
        for (String file : List.of("example-virtlog.scm", "nondefault.scm")) {
            String text = VirtlogdConf.render(Golden.configuration(file).virtlog().orElseThrow());
            assertEquals(6, text.lines().count(), file);
            assertTrue(text.endsWith("\n"));
        }
    }

    @Test
    void noHeaderNoBlankLineOneLinePerWrittenField() {
        String text = LibvirtdConf.render(Golden.configuration("nondefault.scm").libvirt().orElseThrow());
        assertFalse(text.lines().anyMatch(String::isBlank));
        // Extensions are written only when set; nondefault.scm sets none.
        long written = Section.LIBVIRT.fields().stream()
                .filter(f -> f.writtenToFile() && !(f.rendering() instanceof Rendering.Extension)).count();
        assertEquals(written, text.lines().count());
        assertTrue(text.startsWith("listen_tls = "));
    }

    @Test
    void nonDefaultFileWarnsOnlyAboutSettingsLibvirtNoLongerReads() {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("nondefault.scm", Golden.text("nondefault.scm"), Golden.HOST);
        assertEquals(List.of(
                "nondefault.scm:34:14: warning: field 'mdns-adv?' is set to #t but libvirt no longer reads it (9.0 and later do not): it has no effect",
                "nondefault.scm:35:14: warning: field 'mdns-name' is set to \"Lab host\\t1\" but libvirt no longer reads it (9.0 and later do not): it has no effect",
                "nondefault.scm:61:17: warning: field 'max-requests' is set to 40 but libvirt no longer reads it (9.0 and later do not): it has no effect"),
                loaded.diagnostics().stream().map(Diagnostic::format).toList());
    }

    @Test
    void typedAccessorsReadTheNonDefaultFile() {
        Configuration c = Golden.configuration("nondefault.scm");
        LibvirtConfiguration l = c.libvirt().orElseThrow();
        assertEquals("/opt/libvirt", l.libvirt());
        assertEquals("/opt/libvirt/sbin/libvirtd", c.libvirtdPath());
        assertEquals("/opt/libvirt/sbin/virtlogd", c.virtlogdPath());
        assertFalse(l.listenTls());
        assertEquals(-1, l.keepaliveInterval());
        assertEquals(List.of("admin@EXAMPLE.COM", "fred@EXAMPLE.COM"), l.saslAllowedUsernames());
        assertEquals("Lab host\t1", l.mdnsName());
        assertEquals(4194304L, c.virtlog().orElseThrow().maxSize());
        SupervisorConfiguration s = c.supervisor();
        assertTrue(s.listen());
        assertEquals(java.time.Duration.ofSeconds(45), s.startTimeout());
        assertEquals(5, s.respawnLimit());
        assertTrue(s.exitOnFailure());
        assertEquals(new Position("nondefault.scm", 10, 17), s.positionOf("start-timeout"));
        assertEquals(new Position("nondefault.scm", 36, 20), l.positionOf("unix-sock-group"));
        assertEquals(new Position("nondefault.scm", 29, 16), l.positionOf("listen-tls?"));
    }

    @Test
    void defaultedFieldIsPositionedAtItsServiceForm() {
        Configuration c = Golden.configuration("example-libvirt.scm");
        assertEquals(new Position("example-libvirt.scm", 1, 1), c.libvirt().orElseThrow().positionOf("max-clients"));
        assertEquals(new Position("example-libvirt.scm", 3, 28), c.libvirt().orElseThrow().positionOf("unix-sock-group"));
    }
}

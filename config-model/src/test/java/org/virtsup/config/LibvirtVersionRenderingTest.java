package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Rendering and checks per libvirt version: Debian 12's 9.0 and Debian 13's
 * 11.3. Golden files under golden/extensions-VERSION.* and *-11.3.*.
 */
class LibvirtVersionRenderingTest {
    private static final LibvirtVersion V9 = LibvirtVersion.DEBIAN_12;
    private static final LibvirtVersion V11 = LibvirtVersion.DEBIAN_13;

    @Test
    void readsTheVersionLibvirtdPrints() {
        assertEquals(Optional.of(new LibvirtVersion(11, 3, 0)), LibvirtVersion.fromVersionOutput("libvirtd (libvirt) 11.3.0\n"));
        assertEquals(Optional.of(V9), LibvirtVersion.fromVersionOutput("virtlogd (libvirt) 9.0.0"));
        assertEquals(Optional.empty(), LibvirtVersion.fromVersionOutput("libvirtd: command not found"));
        assertEquals(Optional.empty(), LibvirtVersion.fromVersionOutput(""));
        assertEquals(Optional.empty(), LibvirtVersion.fromVersionOutput("libvirtd (libvirt) 11.3"));
        assertEquals(Optional.empty(), LibvirtVersion.fromVersionOutput("libvirtd (libvirt) 99999.1.1"));
    }

    @Test
    void ordersVersionsByNumberNotText() {
        assertTrue(new LibvirtVersion(11, 3, 0).atLeast(new LibvirtVersion(9, 10, 0)));
        assertFalse(new LibvirtVersion(9, 10, 0).atLeast(new LibvirtVersion(11, 0, 0)));
        assertTrue(V11.atLeast(V11));
        assertEquals("11.3", V11.release());
    }

    @Test
    void commentsForKeysNoLongerReadNameTheLibvirtThatRuns() {
        LibvirtConfiguration libvirt = Golden.configuration("nondefault.scm").libvirt().orElseThrow();
        assertEquals(Golden.text("nondefault.libvirtd.conf"), LibvirtdConf.render(libvirt, V9));
        assertEquals(Golden.text("nondefault-11.3.libvirtd.conf"), LibvirtdConf.render(libvirt, V11));
        assertFalse(LibvirtdConf.render(libvirt, V11).contains("9.0"), "nothing says 9.0 when 11.3 runs");
    }

    @Test
    void extensionsAreWrittenForTheLibvirtThatReadsThemAndCommentedForAnOlderOne() {
        Configuration configuration = Golden.configuration("extensions.scm");
        for (LibvirtVersion version : List.of(V9, V11)) {
            assertEquals(Golden.text("extensions-" + version.release() + ".libvirtd.conf"),
                    LibvirtdConf.render(configuration.libvirt().orElseThrow(), version), "libvirtd.conf for " + version);
            assertEquals(Golden.text("extensions-" + version.release() + ".virtlogd.conf"),
                    VirtlogdConf.render(configuration.virtlog().orElseThrow(), version), "virtlogd.conf for " + version);
        }
    }

    @Test
    void unsetExtensionsLeaveTheFilesAsTheyWere() {
        Configuration defaults = ConfigurationLoader.embeddedDefault(Golden.HOST).configuration().orElseThrow();
        assertEquals(Golden.text("virtlogd-defaults.conf"), VirtlogdConf.render(defaults.virtlog().orElseThrow(), V11));
        assertEquals(Golden.text("libvirtd-defaults.conf")
                        .replace("(not read by libvirt 9.0)", "(not read by libvirt 11.3)"),
                LibvirtdConf.render(defaults.libvirt().orElseThrow(), V11));
    }

    @Test
    void saysWhichLibvirtIgnoresAnExtensionSet() {
        Configuration configuration = Golden.configuration("extensions.scm");
        assertEquals(List.of(
                "extensions.scm:8:25: warning: field 'max-age-days': libvirt 9.0.0 (the virtlogd virtsup runs) does not read"
                        + " max_age_days; libvirt 11.3 and later do. It is written as a comment and has no effect",
                "extensions.scm:9:21: warning: field 'log-root': libvirt 9.0.0 (the virtlogd virtsup runs) does not read"
                        + " log_root; libvirt 11.3 and later do. It is written as a comment and has no effect"),
                VersionCheck.check(configuration, V9).stream().map(Diagnostic::format).toList());
        assertEquals(List.of(), VersionCheck.check(configuration, V11));
        assertEquals(List.of(), VersionCheck.check(configuration, new LibvirtVersion(12, 0, 0)));
    }

    @Test
    void refusesATcpMinSsfLibvirtRefuses() {
        ConfigurationLoader.Loaded loaded = ConfigurationLoader.load("weak.scm",
                "(service libvirt-service-type (libvirt-configuration (tcp-min-ssf 40)))", Golden.HOST);
        assertTrue(loaded.hasErrors(), loaded.diagnostics().toString());
        assertTrue(loaded.errors().get(0).format().contains("field 'tcp-min-ssf'"), loaded.errors().toString());
    }
}

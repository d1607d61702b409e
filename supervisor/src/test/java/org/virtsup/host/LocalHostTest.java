package org.virtsup.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.virtsup.config.LibvirtVersion;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.posix.Posix;

/** The host's libvirtd is asked its version once per path (the checks ask, run renders for it), until it gives one. */
class LocalHostTest {
    private static final String LIBVIRTD = "/usr/sbin/libvirtd";

    @Test
    void asksEachLibvirtdOnce() {
        FakePosix posix = new FakePosix()
                .onSpawn(LIBVIRTD, ChildBehaviour.prints("/usr/sbin/libvirtd (libvirt) 9.0.0\n"))
                .onSpawn("/opt/libvirtd", ChildBehaviour.prints("/opt/libvirtd (libvirt) 11.3.0\n"));
        LocalHost host = new LocalHost(() -> posix);
        assertEquals(Optional.of(new LibvirtVersion(9, 0, 0)), host.libvirtVersion(LIBVIRTD));
        assertEquals(new LibvirtdVersion.Known(new LibvirtVersion(9, 0, 0)), host.libvirtdVersion(LIBVIRTD));
        assertEquals(Optional.of(new LibvirtVersion(11, 3, 0)), host.libvirtVersion("/opt/libvirtd"));
        assertEquals(List.of(LIBVIRTD, "/opt/libvirtd"),
                posix.spawned().stream().map(child -> child.spec().argv().get(0)).toList());
    }

    @Test
    void aLibvirtdThatGaveNoVersionIsAskedAgain() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.prints("not a version\n"));
        LocalHost host = new LocalHost(() -> posix);
        assertInstanceOf(LibvirtdVersion.Unknown.class, host.libvirtdVersion(LIBVIRTD));
        assertInstanceOf(LibvirtdVersion.Unknown.class, host.libvirtdVersion(LIBVIRTD));
        assertEquals(2, posix.spawned().size(), "asked twice");
    }

    @Test
    void aSeamThatCannotLoadIsTriedAgainNextTime() {
        FakePosix posix = new FakePosix().onSpawn(LIBVIRTD, ChildBehaviour.prints("libvirtd (libvirt) 10.1.0\n"));
        AtomicInteger tries = new AtomicInteger();
        LocalHost host = new LocalHost(() -> {
            if (tries.incrementAndGet() == 1) {
                throw new UncheckedIOException(new java.io.IOException("cannot load jnr's native stub: noexec"));
            }
            return (Posix) posix;
        });
        LibvirtdVersion.Unknown first = assertInstanceOf(LibvirtdVersion.Unknown.class, host.libvirtdVersion(LIBVIRTD));
        assertEquals(LIBVIRTD + " --version was not asked: java.io.IOException: cannot load jnr's native stub: noexec",
                first.why());
        assertEquals(Optional.of(new LibvirtVersion(10, 1, 0)), host.libvirtVersion(LIBVIRTD));
    }
}

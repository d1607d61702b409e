package org.virtsup.adopt;

import java.util.List;
import java.util.Map;
import org.virtsup.supervise.Daemon;

/** Records as virtsup writes them, for the tests. */
final class Records {
    static final String DIGEST = "3f9a".repeat(16);

    private Records() {}

    static ProcessIdentity libvirtdProcess(int pid) {
        return new ProcessIdentity(pid, 90_211, "/usr/sbin/libvirtd",
                List.of("/usr/sbin/libvirtd", "--config", "/run/virtsup/libvirtd.conf", "--pid-file", "/run/libvirtd.pid"));
    }

    static DaemonRecord libvirtd(int pid) {
        return new DaemonRecord(Daemon.LIBVIRTD, libvirtdProcess(pid), DIGEST,
                Map.of("libvirtd.socket", 4711L, "libvirtd-ro.socket", 4712L));
    }

    static DaemonRecord virtlogd(int pid) {
        return new DaemonRecord(Daemon.VIRTLOGD, new ProcessIdentity(pid, 90_100, "/usr/sbin/virtlogd",
                List.of("/usr/sbin/virtlogd", "--config", "/run/virtsup/virtlogd.conf")), DIGEST, Map.of());
    }

    static StateRecord both() {
        return new StateRecord(Map.of(Daemon.LIBVIRTD, libvirtd(812), Daemon.VIRTLOGD, virtlogd(811)));
    }
}

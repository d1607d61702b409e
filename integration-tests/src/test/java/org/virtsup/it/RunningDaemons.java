package org.virtsup.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.virtsup.config.Configuration;
import org.virtsup.config.LibvirtdConf;
import org.virtsup.config.VirtlogdConf;

/**
 * virtlogd and libvirtd started by a test, by hand, inside a libvirt host
 * container on the files the config model renders: what virtsup will do,
 * without virtsup. Started in virtsup's order (virtlogd ready, then libvirtd
 * ready) and stopped in the reverse order on {@link #close()}.
 *
 * <p>"Ready" is observed from outside: the admin server answering virt-admin
 * ({@code srv-list}), then, for libvirtd, the QEMU driver answering
 * {@code virsh -c qemu:///system version} — libvirtd's admin server answers
 * before its drivers are initialised, and the first start in a fresh
 * container probes QEMU for about a second.
 */
public final class RunningDaemons implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final LibvirtHostContainer host;
    private final String socketDirectory;
    private final DaemonProcess virtlogd;
    private DaemonProcess libvirtd;

    private RunningDaemons(LibvirtHostContainer host, String socketDirectory, DaemonProcess virtlogd) {
        this.host = host;
        this.socketDirectory = socketDirectory;
        this.virtlogd = virtlogd;
    }

    /**
     * Renders both daemons' files into {@code /etc/virtsup-test/NAME/} and
     * starts the daemons on them.
     *
     * @param configuration a configuration that declares both services
     * @param name          names the files, the daemons' logs and the benchmarks
     */
    public static RunningDaemons start(LibvirtHostContainer host, Configuration configuration, String name) {
        String directory = "/etc/virtsup-test/" + name;
        host.writeFile(directory + "/libvirtd.conf", LibvirtdConf.render(configuration.libvirt().orElseThrow(
                () -> new IllegalArgumentException("the configuration declares no libvirt-service-type"))));
        host.writeFile(directory + "/virtlogd.conf", VirtlogdConf.render(configuration.virtlog().orElseThrow(
                () -> new IllegalArgumentException("the configuration declares no virtlog-service-type"))));
        // libvirtd creates its default /run/libvirt but not another unix-sock-dir: it exits with "Failed to
        // bind socket to 'DIR/libvirt-sock': No such file or directory". virtsup prepares it; so does this.
        String socketDirectory = configuration.libvirt().orElseThrow().unixSockDir();
        host.exec("mkdir", "-p", socketDirectory).orFail();
        RunningDaemons daemons = new RunningDaemons(host, socketDirectory,
                host.startDaemon("virtlogd-" + name, "virtlogd", "-f", directory + "/virtlogd.conf"));
        try {
            daemons.awaitAdmin(daemons.virtlogd, daemons.virtlogdAdmin());
            daemons.libvirtd = host.startDaemon("libvirtd-" + name, "libvirtd", "-f", directory + "/libvirtd.conf");
            Duration admin = daemons.awaitAdmin(daemons.libvirtd, daemons.libvirtdAdmin());
            Benchmark.record("libvirtd answers virt-admin (" + name + ")", admin);
            Duration driver = Poll.until("libvirtd's QEMU driver answers virsh", READY_TIMEOUT,
                    () -> daemons.answersOrDied(daemons.libvirtd,
                            () -> host.exec("virsh", "-c", daemons.qemuUri(), "version").succeeded()));
            Benchmark.record("libvirtd answers virsh -c qemu:///system version (" + name + ")", admin.plus(driver));
            return daemons;
        } catch (RuntimeException | AssertionError e) {
            daemons.close();
            throw e;
        }
    }

    public DaemonProcess virtlogd() {
        return virtlogd;
    }

    public DaemonProcess libvirtd() {
        return libvirtd;
    }

    /** virt-admin talking to virtlogd. */
    public VirtAdmin virtlogdAdmin() {
        return new VirtAdmin(host, VirtAdmin.VIRTLOGD);
    }

    /** virt-admin talking to libvirtd, through the configuration's unix-sock-dir. */
    public VirtAdmin libvirtdAdmin() {
        return new VirtAdmin(host, VirtAdmin.libvirtdUri(socketDirectory));
    }

    /** The URI for virsh, through the configuration's unix-sock-dir. */
    public String qemuUri() {
        return "qemu:///system?socket=" + socketDirectory + "/libvirt-sock";
    }

    private Duration awaitAdmin(DaemonProcess daemon, VirtAdmin admin) {
        return Poll.until(daemon.name() + " answers virt-admin", READY_TIMEOUT,
                () -> answersOrDied(daemon, admin::answers));
    }

    /** The probe's answer; fails at once, with the daemon's output, when the daemon has exited. */
    private boolean answersOrDied(DaemonProcess daemon, BooleanSupplier probe) {
        if (probe.getAsBoolean()) {
            return true;
        }
        if (!host.isAlive(daemon.pid())) {
            throw new AssertionError(daemon.name() + " exited before answering; its output:\n"
                    + host.readFile(daemon.logFile()));
        }
        return false;
    }

    /** Stops libvirtd, then virtlogd (each by its own pid: TERM, then KILL after the stop timeout). */
    @Override
    public void close() {
        try {
            if (libvirtd != null) {
                host.stop(libvirtd);
            }
        } finally {
            host.stop(virtlogd);
        }
    }
}

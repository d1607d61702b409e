package org.virtsup.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * virt-admin inside a libvirt host container, reading back what a running
 * daemon applied. One instance per daemon: {@link #LIBVIRTD} talks to
 * /run/libvirt/libvirt-admin-sock, {@link #VIRTLOGD} to
 * /run/libvirt/virtlogd-admin-sock (libvirt refuses admin clients whose uid
 * differs from the daemon's: both run as root here).
 *
 * <p>Output formats of libvirt 9.0's virt-admin:
 * <pre>
 * $ virt-admin -c libvirtd:///system srv-threadpool-info libvirtd
 * minWorkers     : 5
 * maxWorkers     : 20
 * nWorkers       : 5
 * freeWorkers    : 5
 * prioWorkers    : 5
 * jobQueueDepth  : 0
 *
 * $ virt-admin -c libvirtd:///system srv-clients-info libvirtd
 * nclients_max        : 5000
 * nclients            : 0
 * nclients_unauth_max : 20
 * nclients_unauth     : 0
 *
 * $ virt-admin -c libvirtd:///system daemon-log-filters
 *  Logging filters: 3:*remote* 4:*event*
 *
 * $ virt-admin -c libvirtd:///system daemon-log-outputs
 *  Logging outputs: 3:stderr
 * </pre>
 * Servers: libvirtd has {@code libvirtd} and {@code admin}; virtlogd has
 * {@code virtlogd} and {@code admin} ({@code srv-list}).
 */
public final class VirtAdmin {
    public static final String LIBVIRTD = "libvirtd:///system";
    public static final String VIRTLOGD = "virtlogd:///system";

    /**
     * libvirtd's admin URI when its {@code unix-sock-dir} is not the default:
     * virt-admin (like virsh, {@code qemu:///system?socket=DIR/libvirt-sock})
     * takes the socket's path as the {@code socket} parameter.
     */
    public static String libvirtdUri(String unixSockDir) {
        return "libvirtd:///system?socket=" + unixSockDir + "/libvirt-admin-sock";
    }

    private final LibvirtHostContainer host;
    private final String uri;

    public VirtAdmin(LibvirtHostContainer host, String uri) {
        this.host = host;
        this.uri = uri;
    }

    /** Runs {@code virt-admin -c URI COMMAND...}. */
    public ExecResult run(String... command) {
        List<String> argv = new ArrayList<>(List.of("virt-admin", "-c", uri));
        argv.addAll(Arrays.asList(command));
        return host.exec(argv.toArray(String[]::new));
    }

    /** Whether the daemon's admin server answers ({@code srv-list} succeeds). */
    public boolean answers() {
        return run("srv-list").succeeded();
    }

    /** {@code srv-threadpool-info SERVER} as name → value. */
    public Map<String, String> threadPool(String server) {
        return fields(run("srv-threadpool-info", server).orFail().stdout());
    }

    /** {@code srv-clients-info SERVER} as name → value. */
    public Map<String, String> clients(String server) {
        return fields(run("srv-clients-info", server).orFail().stdout());
    }

    /** The daemon's log filters as it applied them, "" when none. */
    public String logFilters() {
        return labelled(run("daemon-log-filters").orFail().stdout(), "Logging filters:");
    }

    /** The daemon's log outputs as it applied them. */
    public String logOutputs() {
        return labelled(run("daemon-log-outputs").orFail().stdout(), "Logging outputs:");
    }

    /**
     * How libvirt 9.0 reports log filters it applied: it matches a filter's
     * name anywhere in a category and shows it as a glob, so {@code 3:remote}
     * comes back as {@code 3:*remote*}; the {@code +} of a stack-trace filter is
     * not shown ({@code 1:+qemu} comes back as {@code 1:*qemu*}).
     */
    public static String asReportedFilters(String filters) {
        return Arrays.stream(filters.trim().split(" +"))
                .map(filter -> filter.replaceFirst("^([0-9]+):(\\+?)(.*)$", "$1:*$3*"))
                .collect(Collectors.joining(" "));
    }

    /** virt-admin pads each name to a column before " : "; an error message ("error: ...") has no such gap. */
    private static final Pattern FIELD = Pattern.compile("^(\\w+)\\s+:\\s*(.*?)\\s*$");

    /** Lines {@code name : value} as an ordered map; fails when there is none. */
    static Map<String, String> fields(String output) {
        Map<String, String> fields = fieldsIn(output);
        if (fields.isEmpty()) {
            throw new AssertionError("virt-admin printed no 'name : value' lines:\n" + output);
        }
        return fields;
    }

    static String labelled(String output, String label) {
        for (String line : output.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith(label)) {
                return trimmed.substring(label.length()).trim();
            }
        }
        throw new AssertionError("virt-admin printed no line starting with '" + label + "':\n" + output);
    }

    /** Lines {@code name : value} as an ordered map, empty when there is none (a daemon that did not answer). */
    public static Map<String, String> fieldsIn(String output) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher field = FIELD.matcher(line);
            if (field.matches()) {
                fields.put(field.group(1), field.group(2));
            }
        }
        return fields;
    }
}

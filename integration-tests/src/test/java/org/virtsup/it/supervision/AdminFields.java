package org.virtsup.it.supervision;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.virtsup.it.ExecResult;

/**
 * virt-admin's {@code name : value} listings ({@code srv-threadpool-info},
 * {@code srv-clients-info}) read inside a {@link SupervisorContainer}; see
 * {@link org.virtsup.it.VirtAdmin} for the formats of libvirt 9.0.
 */
final class AdminFields {
    static final String LIBVIRTD = "libvirtd:///system";
    static final String VIRTLOGD = "virtlogd:///system";
    private static final Pattern FIELD = Pattern.compile("^(\\w+)\\s+:\\s*(.*?)\\s*$");

    private AdminFields() {
    }

    static ExecResult virtAdmin(SupervisorContainer host, String uri, String... command) {
        String[] argv = new String[command.length + 3];
        argv[0] = "virt-admin";
        argv[1] = "-c";
        argv[2] = uri;
        System.arraycopy(command, 0, argv, 3, command.length);
        return host.exec(argv);
    }

    /** One number of a listing, e.g. {@code read(host, LIBVIRTD, "maxWorkers", "srv-threadpool-info", "libvirtd")}. */
    static int read(SupervisorContainer host, String uri, String field, String... command) {
        String value = fields(virtAdmin(host, uri, command).orFail().stdout()).get(field);
        if (value == null) {
            throw new AssertionError("virt-admin " + String.join(" ", command) + " shows no " + field);
        }
        return Integer.parseInt(value);
    }

    /** One field of a listing as virt-admin shows it now, "" while the daemon does not answer (e.g. restarting). */
    static String shown(SupervisorContainer host, String uri, String field, String... command) {
        return fields(virtAdmin(host, uri, command).stdout()).getOrDefault(field, "");
    }

    static Map<String, String> fields(String output) {
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

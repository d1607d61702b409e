package org.virtsup.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guests this libvirtd runs, found through libvirt's own records: its
 * QEMU driver writes NAME.pid (the QEMU process's pid) into its run directory,
 * /run/libvirt/qemu, for each running guest, and removes it when the guest
 * ends. A pid counts only while /proc shows that pid as a QEMU process for
 * guest NAME: a record left by a libvirtd that died with its guest, or a pid
 * reused since, is no guest. QEMU processes started by hand or by another
 * libvirt (a session daemon, another container's) are not this libvirtd's
 * and are not counted. virtsup needs them for one thing: when virtlogd dies,
 * every running guest's console output is lost until that guest restarts
 * (QEMU's writes to virtlogd fail and a new virtlogd does not reconnect
 * them), and operators must be told which.
 */
public final class GuestProcesses {
    /** One guest: its QEMU process and the name libvirt gave it ({@code -name guest=NAME}). */
    public record Guest(int pid, String name) {}

    private static final String PID_SUFFIX = ".pid";

    private final Path proc;
    private final Path qemuRunDirectory;

    /**
     * @param proc the proc file system
     * @param qemuRunDirectory the run directory of libvirtd's QEMU driver (system instance: /run/libvirt/qemu)
     */
    public GuestProcesses(Path proc, Path qemuRunDirectory) {
        this.proc = proc;
        this.qemuRunDirectory = qemuRunDirectory;
    }

    public static GuestProcesses ofThisHost() {
        return new GuestProcesses(Path.of("/proc"), Path.of("/run/libvirt/qemu"));
    }

    /** Every guest libvirt's records name that runs now, by pid. */
    public List<Guest> running() {
        List<Guest> guests = new ArrayList<>();
        try (DirectoryStream<Path> records = Files.newDirectoryStream(qemuRunDirectory, "*" + PID_SUFFIX)) {
            for (Path record : records) {
                String file = record.getFileName().toString();
                String name = file.substring(0, file.length() - PID_SUFFIX.length());
                recordedPid(record)
                        .flatMap(this::guest)
                        .filter(guest -> guest.name().equals(name))
                        .ifPresent(guests::add);
            }
        } catch (IOException e) {
            return List.of(); // no run directory: the QEMU driver never ran a guest here
        }
        guests.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return guests;
    }

    private static Optional<Integer> recordedPid(Path record) {
        try {
            String text = Files.readString(record, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(text);
            return pid > 0 && pid <= Integer.MAX_VALUE ? Optional.of((int) pid) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // removed as the guest ended, or unreadable
        }
    }

    /** Whether {@code guest} still runs as the same QEMU process. */
    public boolean stillRunning(Guest guest) {
        return guest(guest.pid()).filter(g -> g.name().equals(guest.name())).isPresent();
    }

    private Optional<Guest> guest(int pid) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(proc.resolve(Integer.toString(pid)).resolve("cmdline"));
        } catch (IOException e) {
            return Optional.empty(); // gone, or not ours to read
        }
        String[] argv = new String(raw, StandardCharsets.UTF_8).split("\0");
        if (argv.length == 0 || !isQemu(argv[0])) {
            return Optional.empty();
        }
        for (int i = 0; i + 1 < argv.length; i++) {
            if (argv[i].equals("-name")) {
                return Optional.of(new Guest(pid, guestName(argv[i + 1])));
            }
        }
        return Optional.of(new Guest(pid, "pid " + pid));
    }

    private static boolean isQemu(String program) {
        String base = program.substring(program.lastIndexOf('/') + 1);
        return base.startsWith("qemu-system-") || base.equals("qemu-kvm");
    }

    /** {@code guest=vm1,debug-threads=on} or a plain {@code vm1}; commas in names are doubled by libvirt. */
    static String guestName(String option) {
        String value = option.startsWith("guest=") ? option.substring("guest=".length()) : option;
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                    name.append(',');
                    i++;
                } else {
                    break;
                }
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }
}

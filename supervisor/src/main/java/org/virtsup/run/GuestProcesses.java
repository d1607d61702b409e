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
 * The guests running on this host, found as QEMU processes in /proc. virtsup
 * needs them for one thing: when virtlogd dies, every running guest's console
 * output is lost until that guest restarts (QEMU's writes to virtlogd fail and
 * a new virtlogd does not reconnect them), and operators must be told which.
 */
public final class GuestProcesses {
    /** One guest: its QEMU process and the name libvirt gave it ({@code -name guest=NAME}). */
    public record Guest(int pid, String name) {}

    private final Path proc;

    public GuestProcesses(Path proc) {
        this.proc = proc;
    }

    public static GuestProcesses ofThisHost() {
        return new GuestProcesses(Path.of("/proc"));
    }

    /** Every QEMU process now. */
    public List<Guest> running() {
        List<Guest> guests = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    guest(Integer.parseInt(name)).ifPresent(guests::add);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        guests.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return guests;
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

package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** sd_listen_fds read as hostile text: what systemd writes is taken, anything else gives nothing or is closed. */
class PassedDescriptorsTest {
    private static final int PID = 4242;

    private static PassedDescriptors passed(String pid, String count, String names) {
        Map<String, String> environment = new HashMap<>();
        environment.put("LISTEN_PID", pid);
        environment.put("LISTEN_FDS", count);
        if (names != null) {
            environment.put("LISTEN_FDNAMES", names);
        }
        return PassedDescriptors.from(environment, PID);
    }

    @Test
    void namedDescriptorsFromThreeOn() {
        assertEquals(new PassedDescriptors(Map.of("libvirtd.socket", 3, "libvirtd-tcp.2", 4), List.of()),
                passed("4242", "2", "libvirtd.socket:libvirtd-tcp.2"));
        assertEquals(List.of("libvirtd.socket", "libvirtd-tcp.2"),
                List.copyOf(passed("4242", "2", "libvirtd.socket:libvirtd-tcp.2").named().keySet()), "in order");
    }

    @Test
    void descriptorsWithoutAUsableNameAreToBeClosed() {
        assertEquals(new PassedDescriptors(Map.of(), List.of(3, 4)), passed("4242", "2", "one"), "names do not match");
        assertEquals(new PassedDescriptors(Map.of(), List.of(3)), passed("4242", "1", null));
        assertEquals(new PassedDescriptors(Map.of("a", 3), List.of(4, 5)), passed("4242", "3", "a:a:b c"));
        assertEquals(new PassedDescriptors(Map.of("b", 4), List.of(3)), passed("4242", "2", ":b"));
    }

    @Test
    void nothingIsTakenForAnotherProcessOrFromAnInvalidCount() {
        for (String[] values : new String[][] {{"4243", "1"}, {"04242", "1"}, {"4242", "0"}, {"4242", "-1"},
                {"4242", "01"}, {"4242", "1025"}, {"4242", "99999999999"}, {"4242", " 1"}, {"", "1"}, {"4242", ""}}) {
            assertEquals(new PassedDescriptors(Map.of(), List.of()), passed(values[0], values[1], "x"),
                    String.join(",", values));
        }
        assertEquals(new PassedDescriptors(Map.of(), List.of()), PassedDescriptors.from(Map.of("LISTEN_FDS", "1"), PID));
    }

    @Test
    void fuzzedVariablesNeverThrowAndAccountForEveryDescriptorOnce() {
        Random random = new Random(20261203L);
        String alphabet = "0123456789:.-_aZ \t\n\u00e9\u0000";
        for (int i = 0; i < 5_000; i++) {
            String count = random.nextBoolean() ? Integer.toString(random.nextInt(40) - 2) : text(random, alphabet, 4);
            String names = text(random, alphabet, 60);
            PassedDescriptors result = passed(random.nextInt(4) == 0 ? "x" : "4242", count, names);
            List<Integer> all = new ArrayList<>(result.named().values());
            all.addAll(result.unnamed());
            TreeSet<Integer> distinct = new TreeSet<>(all);
            assertEquals(all.size(), distinct.size(), "each descriptor once: " + count + " " + names);
            assertTrue(distinct.isEmpty() || (distinct.first() == 3 && distinct.last() == 2 + all.size()),
                    "exactly 3.." + (2 + all.size()) + ": " + distinct);
            result.named().keySet().forEach(name -> assertTrue(name.matches("[A-Za-z0-9._-]{1,64}"), name));
        }
    }

    private static String text(Random random, String alphabet, int most) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(most + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @Test
    void withoutRemovesOnlyTheListenVariables() {
        assertEquals(Map.of("PATH", "/bin", "NOTIFY_SOCKET", "/run/systemd/notify"), PassedDescriptors.without(Map.of(
                "LISTEN_PID", "1", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "a:b", "PATH", "/bin",
                "NOTIFY_SOCKET", "/run/systemd/notify")));
    }
}

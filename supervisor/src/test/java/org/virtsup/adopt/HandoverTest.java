package org.virtsup.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The handover variable: what virtsup writes reads back the same; anything else is Invalid, never worse. */
class HandoverTest {
    private static final Handover FULL = new Handover(3, Duration.ofMillis(86_400_123), OptionalInt.of(7),
            Map.of("libvirtd.socket", 9, "libvirtd-ro.socket", 10, "virtlogd.socket", 11),
            Map.of("libvirtd", 4, "virtlogd", 0), Map.of("libvirtd", 13, "virtlogd", 12),
            Map.of(7, 4711L, 9, 4712L, 13, 4799L));

    @Test
    void rendersOneLineThatReadsBackTheSame() throws Handover.Invalid {
        assertEquals("1 generation=3 up-millis=86400123 control=7"
                + " sockets=libvirtd-ro.socket:10,libvirtd.socket:9,virtlogd.socket:11 restarts=libvirtd:4,virtlogd:0"
                + " outputs=libvirtd:13,virtlogd:12 inodes=7:4711,9:4712,13:4799",
                FULL.render());
        assertEquals(FULL, Handover.parse(FULL.render()));
        Handover bare = new Handover(1, Duration.ZERO, OptionalInt.empty(), Map.of(), Map.of(), Map.of(), Map.of());
        assertEquals(bare, Handover.parse(bare.render()));
    }

    @Test
    void refusesWhatVirtsupDoesNotWrite() {
        String tail = " restarts=libvirtd:0 outputs= inodes=";
        for (String text : new String[] {"", "2 generation=1 up-millis=0 sockets=" + tail,
                "1 generation=0 up-millis=0 sockets=" + tail, "1 generation=1 sockets=" + tail,
                "1 generation=1 up-millis=0" + tail, "1 generation=1 up-millis=0 sockets=",
                "1 generation=1 up-millis=-5 sockets=" + tail, "1 generation=1 up-millis=0 sockets= sockets=" + tail,
                "1 generation=1 up-millis=0 sockets=a:2" + tail, "1 generation=1 up-millis=0 sockets=a:9,b:9" + tail,
                "1 generation=1 up-millis=0 control=9 sockets=a:9" + tail, "1 generation=1 up-millis=0 sockets=a b:9" + tail,
                "1 generation=99999999999 up-millis=0 sockets=" + tail, "1 generation=1 up-millis=0 sockets=a:99999999" + tail,
                "1 generation=1 up-millis=0 sockets=:9" + tail, "1 generation=1 up-millis=0 pid=4 sockets=" + tail,
                "1  generation=1 up-millis=0 sockets=" + tail, "1 generation=1 up-millis=0 sockets=a:9," + tail,
                "1 generation=1 up-millis=0 sockets= restarts=libvirtd:-1 outputs= inodes=",
                "1 generation=1 up-millis=0 sockets= restarts=libvirtd:99999999999 outputs= inodes=",
                "1 generation=1 up-millis=0 sockets= restarts=libvirtd:1,libvirtd:2 outputs= inodes=",
                "1 generation=1 up-millis=0 sockets= restarts= outputs=",
                "1 generation=1 up-millis=0 sockets=a:9 restarts= outputs=libvirtd:9 inodes=",
                "1 generation=1 up-millis=0 control=9 sockets= restarts= outputs=libvirtd:9 inodes=",
                "1 generation=1 up-millis=0 sockets= restarts= outputs=libvirtd:2 inodes=",
                "1 generation=1 up-millis=0 sockets= restarts= outputs= inodes=9:0",
                "1 generation=1 up-millis=0 sockets= restarts= outputs= inodes=2:5",
                "1 generation=1 up-millis=0 sockets= restarts= outputs= inodes=x:5",
                "1 generation=1 up-millis=0 sockets= restarts= outputs= inodes=9:5,9:6"}) {
            assertThrows(Handover.Invalid.class, () -> Handover.parse(text), text);
        }
    }

    @Property(tries = 3000)
    void anyTextIsAHandoverOrInvalid(@ForAll("texts") String text) throws Handover.Invalid {
        Handover handover;
        try {
            handover = Handover.parse(text);
        } catch (Handover.Invalid refused) {
            return;
        }
        assertEquals(handover, Handover.parse(handover.render()), text);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> tokens = Arbitraries.of("1", " ", "generation=", "up-millis=", "control=", "sockets=", "restarts=", "outputs=", "inodes=", ":",
                ",", "libvirtd.socket", "3", "9", "0", "-1", "99999999999999", "=", "\0", "\u00e9");
        Arbitrary<String> mixed = tokens.list().ofMaxSize(30).map(list -> String.join("", list));
        Arbitrary<String> damaged = Combinators.combine(Arbitraries.integers().between(0, 200),
                Arbitraries.chars()).as((at, c) -> {
                    String text = FULL.render();
                    int i = at % text.length();
                    return text.substring(0, i) + c + text.substring(i + 1);
                });
        return Arbitraries.oneOf(mixed, damaged, Arbitraries.strings().ofMaxLength(100));
    }
}

package org.virtsup.it;

/**
 * The smallest guest that runs here: QEMU with TCG (no /dev/kvm in a
 * container), 64 MiB, no disk and no network, its serial console on a pty.
 * It boots into SeaBIOS and stays there, which is all a supervision test
 * needs: a QEMU process that libvirtd and virtlogd look after.
 */
public final class TinyGuest {
    private TinyGuest() {
    }

    /** The domain XML for a guest named {@code name}. */
    public static String xml(String name) {
        return """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <devices>
                    <console type='pty'/>
                  </devices>
                </domain>
                """.formatted(name);
    }
}

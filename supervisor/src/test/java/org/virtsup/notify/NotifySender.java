package org.virtsup.notify;

import java.util.Map;

/** A separate process that sends READY=1 the way libvirt's daemons do: from its own pid. */
public final class NotifySender {
    private NotifySender() {}

    public static void main(String[] args) throws Exception {
        try (Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", args[0]))) {
            notifier.send("READY=1");
        }
    }
}

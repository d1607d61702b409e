package org.virtsup.it.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.virtsup.it.DaemonProcess;
import org.virtsup.it.ExecResult;
import org.virtsup.it.LibvirtHostContainer;
import org.virtsup.it.Poll;

/**
 * What an init system hears from {@code virtsup run} over sd_notify, from
 * start through a SIGHUP reload to SIGTERM, received by {@link NotifyReceiver}
 * inside the container. virtsup is not PID 1 here (it is started the way
 * systemd starts a service, with {@code NOTIFY_SOCKET} set); the container's
 * init reaps.
 */
class NotifySequenceIT {
    private static final String NOTIFY_SOCKET = "/tmp/notify.sock";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final LibvirtHostContainer host = LibvirtHostContainer.createWithVirtsup();

    @Test
    void readyOnlyOnceBothDaemonsAreReadyThenReloadingAndStopping() {
        ContainerPrograms.install(host, NotifyReceiver.class);
        DaemonProcess receiver = host.startDaemon("notify-receiver",
                ContainerPrograms.command(NotifyReceiver.class, NOTIFY_SOCKET));
        try {
            Poll.until("the receiver listens on " + NOTIFY_SOCKET, TIMEOUT,
                    () -> host.readFile(receiver.logFile()).contains("listening"));
            String[] run = Stream.concat(Stream.of("env", "NOTIFY_SOCKET=" + NOTIFY_SOCKET),
                    Stream.of(VirtsupPid1.cliCommand("run"))).toArray(String[]::new);
            DaemonProcess virtsup = host.startDaemon("virtsup", run);

            List<String> heard = Poll.untilPresent("virtsup sends READY=1", TIMEOUT, () -> messages(receiver)
                    .stream().filter(m -> m.startsWith("READY=1")).findFirst().map(m -> messages(receiver)));
            System.out.println("notifications at start: " + heard);
            // The file descriptor store's messages (FDSTORE=1, with the socket attached) are sent as sockets are
            // bound, before READY: one per held socket and one for the control socket.
            assertEquals(List.of("FDSTORE=1|FDNAME=control", "FDSTORE=1|FDNAME=libvirtd-admin.socket",
                    "FDSTORE=1|FDNAME=libvirtd-ro.socket", "FDSTORE=1|FDNAME=libvirtd.socket",
                    "FDSTORE=1|FDNAME=virtlogd-admin.socket", "FDSTORE=1|FDNAME=virtlogd.socket"),
                    heard.subList(0, indexOf(heard, "READY=1")).stream().filter(NotifySequenceIT::toTheStore)
                            .sorted().toList(), "every held socket and the control socket go to the store: " + heard);
            List<String> start = heard.stream().filter(m -> !toTheStore(m)).toList();
            StatusSnapshot status = VirtsupPid1.status(host);
            int virtlogd = status.daemon("virtlogd").pid();
            int libvirtd = status.daemon("libvirtd").pid();
            int ready = indexOf(start, "READY=1");
            assertEquals("READY=1|MAINPID=" + virtsup.pid(), start.get(ready), "READY names virtsup's pid");
            List<String> before = start.subList(0, ready);
            assertFalse(before.isEmpty(), "STATUS lines come before READY: " + start);
            assertTrue(before.stream().allMatch(m -> m.startsWith("STATUS=")), "only STATUS before READY: " + start);
            assertTrue(before.stream().anyMatch(m -> m.contains("libvirtd starting")),
                    "virtsup was waiting for libvirtd's readiness before READY: " + start);
            assertEquals("STATUS=virtlogd running (pid " + virtlogd + "), libvirtd running (pid " + libvirtd + ")",
                    before.get(before.size() - 1), "both daemons ready when READY is sent: " + start);
            assertTrue(indexOf(start, "STATUS=virtlogd starting") == 0, "virtlogd starts first: " + start);
            assertTrue(before.stream().filter(m -> m.contains("libvirtd starting"))
                    .allMatch(m -> m.contains("virtlogd running")), "virtlogd is ready before libvirtd starts: "
                    + start);

            int sent = heard.size();
            host.exec("kill", "-HUP", Integer.toString(virtsup.pid())).orFail();
            List<String> reload = Poll.untilPresent("READY=1 after RELOADING=1", TIMEOUT, () -> {
                // One reading of the receiver's messages: two could differ in length.
                List<String> all = messages(receiver);
                List<String> after = all.subList(sent, all.size());
                int reloading = indexOf(after, "RELOADING=1");
                return reloading >= 0 && indexOf(after.subList(reloading, after.size()), "READY=1") >= 0
                        ? java.util.Optional.of(after)
                        : java.util.Optional.empty();
            });
            System.out.println("notifications on SIGHUP: " + reload);
            assertTrue(reload.get(0).matches("RELOADING=1\\|MONOTONIC_USEC=\\d+"),
                    "RELOADING=1 first, with the monotonic time systemd 253 wants: " + reload);
            assertTrue(reload.get(indexOf(reload, "READY=1")).startsWith("READY=1|STATUS="), reload.toString());
            // CLOCK_MONOTONIC never runs ahead of CLOCK_BOOTTIME (/proc/uptime): a wall-clock time would.
            long monotonicMicros = Long.parseLong(reload.get(0).replaceFirst(".*MONOTONIC_USEC=", ""));
            double bootSeconds = Double.parseDouble(host.exec("cat", "/proc/uptime").orFail().stdout().split(" ")[0]);
            assertTrue(monotonicMicros > 0 && monotonicMicros <= (long) (bootSeconds * 1_000_000) + 1_000_000,
                    "MONOTONIC_USEC is CLOCK_MONOTONIC: " + monotonicMicros + " µs, up " + bootSeconds + " s");

            int reloaded = messages(receiver).size();
            host.exec("kill", "-TERM", Integer.toString(virtsup.pid())).orFail();
            Poll.until("virtsup (pid " + virtsup.pid() + ") has exited after SIGTERM", TIMEOUT,
                    () -> !host.isAlive(virtsup.pid()));
            List<String> all = messages(receiver);
            List<String> stop = all.subList(reloaded, all.size());
            System.out.println("notifications on SIGTERM: " + stop);
            assertEquals("STOPPING=1", stop.get(0), "STOPPING=1 first: " + stop);
            assertEquals(List.of("FDSTOREREMOVE=1|FDNAME=control", "FDSTOREREMOVE=1|FDNAME=libvirtd-admin.socket",
                    "FDSTOREREMOVE=1|FDNAME=libvirtd-ro.socket", "FDSTOREREMOVE=1|FDNAME=libvirtd.socket",
                    "FDSTOREREMOVE=1|FDNAME=virtlogd-admin.socket", "FDSTOREREMOVE=1|FDNAME=virtlogd.socket"),
                    stop.stream().filter(NotifySequenceIT::toTheStore).sorted().toList(),
                    "an orderly stop empties the store: " + stop);
            assertTrue(stop.stream().noneMatch(m -> m.startsWith("READY=1")), "no READY while stopping: " + stop);
            int libvirtdPid = libvirtd;
            assertFalse(host.isAlive(libvirtdPid), "libvirtd stopped with virtsup");
            assertFalse(host.isAlive(virtlogd), "virtlogd stopped with virtsup");
        } finally {
            for (DaemonProcess daemon : host.daemons()) {
                host.stop(daemon);
            }
        }
    }

    /** A message to the file descriptor store (FDSTORE=1 or FDSTOREREMOVE=1). */
    private static boolean toTheStore(String message) {
        return message.startsWith("FDSTORE");
    }

    /** The messages received so far, oldest first, each as KEY=VALUE|KEY=VALUE. */
    private static List<String> messages(DaemonProcess receiver) {
        ExecResult log = host.exec("cat", receiver.logFile()).orFail();
        List<String> messages = new ArrayList<>();
        log.stdout().lines().filter(line -> line.startsWith("message ")).forEach(line -> messages.add(
                line.substring("message ".length())));
        return messages;
    }

    private static int indexOf(List<String> messages, String prefix) {
        return IntStream.range(0, messages.size()).filter(i -> messages.get(i).startsWith(prefix)).findFirst()
                .orElse(-1);
    }
}

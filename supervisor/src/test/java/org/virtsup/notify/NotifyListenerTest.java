package org.virtsup.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class NotifyListenerTest {
    @TempDir
    Path dir;

    @Test
    void deliversParsedMessagesAndRemovesItsSocket() throws Exception {
        BlockingQueue<NotifyMessage> messages = new LinkedBlockingQueue<>();
        Path path = dir.resolve("virtlogd.notify");
        try (NotifyListener listener = NotifyListener.start("virtlogd", path, messages::add)) {
            assertEquals(path.toString(), listener.notifySocket());
            try (Notifier daemon = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", listener.notifySocket()))) {
                daemon.send("READY=1");
                daemon.send("STATUS=serving\nMAINPID=99\nbogus line\nERRNO=5");
            }
            NotifyMessage ready = messages.poll(10, TimeUnit.SECONDS);
            assertNotNull(ready);
            assertTrue(ready.ready());
            assertEquals(OptionalInt.of((int) ProcessHandle.current().pid()), ready.senderPid(),
                    "the kernel names the sender");
            NotifyMessage status = messages.poll(10, TimeUnit.SECONDS);
            assertNotNull(status);
            assertFalse(status.ready());
            assertEquals("serving", status.status().orElseThrow());
            assertEquals(OptionalInt.of(99), status.mainPid());
            assertEquals(OptionalInt.of(5), status.errno());
            assertEquals(List.of("STATUS", "MAINPID", "ERRNO"), List.copyOf(status.fields().keySet()));
        }
        assertFalse(Files.exists(path));
        assertTrue(messages.isEmpty(), "closing delivers nothing");
    }

    /** systemd's own sender, speaking the protocol as libvirt's daemons do. */
    @Test
    void receivesReadyFromSystemdNotify() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-notify");
        boolean full = "1".equals(System.getenv("VIRTSUP_FULL_TESTS"));
        if (!Files.isExecutable(tool)) {
            if (full) {
                throw new AssertionError("systemd-notify is missing: apt-get install systemd");
            }
            Assumptions.abort("systemd-notify is missing (apt-get install systemd)");
        }
        BlockingQueue<NotifyMessage> messages = new LinkedBlockingQueue<>();
        try (NotifyListener listener = NotifyListener.start("libvirtd", dir.resolve("libvirtd.notify"), messages::add)) {
            ProcessBuilder builder = new ProcessBuilder(tool.toString(), "--ready", "--status=up");
            builder.environment().put("NOTIFY_SOCKET", listener.notifySocket());
            builder.redirectErrorStream(true);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes());
            assertEquals(0, process.waitFor(), output);
            NotifyMessage message = messages.poll(10, TimeUnit.SECONDS);
            assertNotNull(message);
            assertTrue(message.ready(), message.toString());
            // systemd-notify speaks for the process that ran it (sd_pid_notify with its
            // parent's pid in SCM_CREDENTIALS, which root may do): that is this JVM.
            assertEquals(OptionalInt.of((int) ProcessHandle.current().pid()), message.senderPid());
            assertEquals("up", message.status().orElseThrow());
        }
    }

    @Test
    void namesTheProcessThatSent() throws Exception {
        BlockingQueue<NotifyMessage> messages = new LinkedBlockingQueue<>();
        try (NotifyListener listener = NotifyListener.start("virtlogd", dir.resolve("virtlogd.notify"), messages::add)) {
            Process sender = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), NotifySender.class.getName(), listener.notifySocket())
                    .redirectErrorStream(true).start();
            String output = new String(sender.getInputStream().readAllBytes());
            assertEquals(0, sender.waitFor(), output);
            NotifyMessage message = messages.poll(10, TimeUnit.SECONDS);
            assertNotNull(message);
            assertTrue(message.ready());
            assertEquals(OptionalInt.of((int) sender.pid()), message.senderPid());
        }
    }

    @Test
    void refusesAPathTooLongForASocket() {
        Path deep = dir.resolve("x".repeat(120));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> NotifyListener.start("libvirtd", deep, m -> { }));
        assertTrue(e.getMessage().contains("longer than 107 bytes"), e.getMessage());
    }
}

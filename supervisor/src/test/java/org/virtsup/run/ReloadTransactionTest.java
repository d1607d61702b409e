package org.virtsup.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.notify.Notifier;
import org.virtsup.posix.ChildBehaviour;
import org.virtsup.posix.FakePosix;
import org.virtsup.supervise.Daemon;

/**
 * A reload is all or nothing: whatever the file holds or the host does, a
 * refused reload leaves the configuration in force, the daemons' files and
 * the daemons' pids as they were, and status says why.
 */
class ReloadTransactionTest {
    private static final String FIRST = SupervisionExecutorTest.BOTH;
    private static final long FIRST_MAX_SIZE = 2097152L;
    private static final String SECOND = "(service virtlog-service-type (virtlog-configuration (max-size 4096)))\n"
            + "(service libvirt-service-type)\n"
            + "(supervisor-configuration (stop-timeout 1))\n";

    @TempDir
    Path directory;
    private ExecutorUnderTest run;

    @AfterEach
    void stop() {
        if (run != null) {
            run.close();
        }
    }

    private final class Host {
        final Path file = directory.resolve("virtsup.scm");
        final RenderedFiles files = new RenderedFiles(directory.resolve("state"));
        final ConfigurationInForce inForce;
        ConfigurationReader reader = () -> ConfigurationLoader.load(file.toString(), read(), "testhost");
        ReloadTransaction.Resources sockets = next -> java.util.Set.of();
        final int[] pids;

        Host() throws IOException {
            Files.writeString(file, FIRST);
            Configuration first = ConfigurationLoader.load(file.toString(), FIRST, "testhost").configuration()
                    .orElseThrow();
            files.write(first);
            inForce = new ConfigurationInForce(first);
            run = new ExecutorUnderTest(new FakePosix()
                    .onSpawn("/usr/sbin/virtlogd", ChildBehaviour.daemon())
                    .onSpawn("/usr/sbin/libvirtd", ChildBehaviour.daemon()), FIRST);
            pids = run.bootBoth();
        }

        String read() {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Reply reload() {
            try {
                return reloadStarted().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("no reply to the reload", e);
            }
        }

        CompletableFuture<Reply> reloadStarted() {
            ReloadTransaction reload = new ReloadTransaction(run.posix, () -> reader.read(), inForce, files,
                    run.supervisor, Notifier::disabled, sockets);
            return run.onLoop(reload::reload);
        }

        byte[] rendered(Daemon daemon) throws IOException {
            return Files.readAllBytes(files.fileOf(daemon));
        }

        void assertNothingChanged(Reply reply, byte[] virtlogdConf, String problem) throws IOException {
            Reply.Failure failure = assertInstanceOf(Reply.Failure.class, reply);
            assertTrue(failure.message().contains(problem), failure.message());
            assertTrue(failure.message().contains("nothing was changed"), failure.message());
            assertEquals(Optional.of(file), inForce.get().source());
            assertEquals(FIRST_MAX_SIZE, inForce.get().virtlog().orElseThrow().maxSize(), "the new configuration is in force");
            assertArrayEquals(virtlogdConf, rendered(Daemon.VIRTLOGD), "virtlogd.conf was rewritten");
            assertEquals(pids[0], run.state(Daemon.VIRTLOGD).pid(), "virtlogd lost its pid");
            assertEquals(pids[1], run.state(Daemon.LIBVIRTD).pid(), "libvirtd lost its pid");
            assertFalse(inForce.reloadProblems().isEmpty(), "status does not show why");
            assertTrue(String.join("\n", inForce.reloadProblems()).contains(problem), inForce.reloadProblems().toString());
            assertEquals(List.of(), run.kills(), "a daemon was signalled");
        }
    }

    @Test
    void aReaderThatOverflowsItsStackChangesNothing() throws IOException {
        Host host = new Host();
        byte[] before = host.rendered(Daemon.VIRTLOGD);
        host.reader = () -> {
            throw new StackOverflowError();
        };
        host.assertNothingChanged(host.reload(), before, "cannot be read");
    }

    @Test
    void anInvalidFileChangesNothing() throws IOException {
        Host host = new Host();
        byte[] before = host.rendered(Daemon.VIRTLOGD);
        Files.writeString(host.file, "(service virtlog-service-type (virtlog-configuration (max-size \"x\")))");
        Reply reply = host.reload();
        assertEquals(ErrorCode.INVALID_CONFIGURATION, ((Reply.Failure) reply).code());
        host.assertNothingChanged(reply, before, "max-size");
    }

    @Test
    void aFileChangedWhileItWasReadChangesNothing() throws IOException {
        Host host = new Host();
        byte[] before = host.rendered(Daemon.VIRTLOGD);
        Files.writeString(host.file, SECOND.substring(0, SECOND.indexOf('\n') + 1));
        ConfigurationReader reader = host.reader;
        host.reader = () -> {
            ConfigurationLoader.Loaded loaded = reader.read();
            try {
                // The rest arrives after the reader took the first part: a valid, but half, configuration.
                Files.writeString(host.file, SECOND, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return loaded;
        };
        host.assertNothingChanged(host.reload(), before, "changed while it was read");
    }

    @Test
    void filesThatCannotBeWrittenArePutBackAndChangeNothing() throws IOException {
        Host host = new Host();
        byte[] before = host.rendered(Daemon.VIRTLOGD);
        // libvirtd.conf cannot be replaced (a directory stands in its way): virtlogd.conf, written first, goes back.
        Files.delete(host.files.fileOf(Daemon.LIBVIRTD));
        Files.createDirectories(host.files.fileOf(Daemon.LIBVIRTD).resolve("blocker"));
        Files.writeString(host.file, SECOND);
        Reply reply = host.reload();
        assertEquals(ErrorCode.FAILED, ((Reply.Failure) reply).code());
        host.assertNothingChanged(reply, before, "carrying out the reload failed");
    }

    @Test
    void aGoodFileIsTakenAndClearsTheLastRefusal() throws Exception {
        Host host = new Host();
        Files.writeString(host.file, "(oops");
        host.reload();
        Files.writeString(host.file, SECOND);
        CompletableFuture<Reply> pending = host.reloadStarted();
        run.posix.awaitSignal(host.pids[0], 10, java.time.Duration.ofSeconds(5)); // virtlogd re-executes
        assertFalse(pending.isDone(), "answered before virtlogd said READY=1 again");
        run.ready(Daemon.VIRTLOGD);
        Reply reply = pending.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertInstanceOf(Reply.ActionOutcome.class, reply);
        assertEquals(4096, host.inForce.get().virtlog().orElseThrow().maxSize());
        assertEquals(List.of(), host.inForce.reloadProblems());
        assertTrue(new String(host.rendered(Daemon.VIRTLOGD), StandardCharsets.UTF_8).contains("4096"));
    }

    /** libvirtd does not re-read its file: it restarts, and the reload is answered once the new one is ready. */
    @Test
    void aReloadThatRestartsLibvirtdIsAnsweredOnceTheNewOneIsReady() throws Exception {
        Host host = new Host();
        Files.writeString(host.file, FIRST.replace("(service libvirt-service-type)",
                "(service libvirt-service-type (libvirt-configuration (max-clients 100)))"));
        CompletableFuture<Reply> pending = host.reloadStarted();
        run.awaitState(Daemon.LIBVIRTD, s -> s.hasPid() && s.pid() != host.pids[1], "restarted");
        assertFalse(pending.isDone(), "answered before the new libvirtd was ready");
        run.ready(Daemon.LIBVIRTD);
        Reply.ActionOutcome outcome = assertInstanceOf(Reply.ActionOutcome.class,
                pending.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(outcome.message().contains("libvirtd.conf"), outcome.message());
        assertTrue(run.state(Daemon.LIBVIRTD).ready());
    }

    /** The sockets cannot move (here: the new address is taken): the directory's new group is undone too. */
    @Test
    void aSocketMoveThatFailsPutsTheSocketDirectorysGroupBack() throws IOException {
        Host host = new Host();
        byte[] before = host.rendered(Daemon.VIRTLOGD);
        Path socketDirectory = Files.createDirectories(directory.resolve("sockets"));
        String libvirt = "(service libvirt-service-type (libvirt-configuration (unix-sock-group \"kvm\")"
                + " (unix-sock-dir \"" + socketDirectory + "\")))\n";
        Files.writeString(host.file, FIRST.replace("(service libvirt-service-type)\n", libvirt));
        run.posix.addGroup("kvm", 36).addDirectory(socketDirectory.toString(), 0, 0, 0700);
        host.sockets = next -> {
            throw new IOException("127.0.0.1:16509 is in use by another process");
        };

        host.assertNothingChanged(host.reload(), before, "in use by another process");

        org.virtsup.posix.FileStatus status = run.posix.stat(socketDirectory.toString());
        assertEquals(0, status.gid(), "the directory's group was left changed");
        assertEquals(0700, status.permissions());
    }

    /** The configuration is in force, and the operator is told that the restarted libvirtd did not come up. */
    @Test
    void aReloadWhoseRestartedLibvirtdFailsIsAnsweredWithTheFailure() throws Exception {
        Host host = new Host();
        run.posix.onSpawn("/usr/sbin/libvirtd", ChildBehaviour.exitsWith(1));
        Files.writeString(host.file, FIRST.replace("(service libvirt-service-type)",
                "(service libvirt-service-type (libvirt-configuration (max-clients 100)))"));

        Reply.Failure failure = assertInstanceOf(Reply.Failure.class, host.reload());

        assertTrue(failure.message().startsWith("configuration reloaded; changed: [libvirtd.conf]; but "),
                failure.message());
        assertEquals(100, host.inForce.get().libvirt().orElseThrow().maxClients(), "the new configuration is in force");
    }
}

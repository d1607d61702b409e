package org.virtsup.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;
import org.virtsup.supervise.Policy;
import org.virtsup.supervise.Supervision;
import org.virtsup.supervise.Termination;

/**
 * A virtsup without metrics-address loads no class of the Prometheus library:
 * everything the run layer does with its metrics (the counters moved on each
 * step, reloads and control requests counted, the endpoint started, reloaded
 * and closed with no address) runs in a fresh JVM that lists every class it
 * loads. The same path with an address must load the library, or the check
 * would see nothing.
 */
class NoEndpointLoadsNoLibraryTest {
    private static final String LIBRARY = "io.prometheus.";

    @Test
    void withoutAnAddressNoPrometheusClassIsLoaded() throws Exception {
        List<String> loaded = classesLoadedBy("none");
        assertTrue(loaded.contains(SupervisionMetrics.class.getName()), "the path ran: " + loaded.size() + " classes");
        assertEquals(List.of(), loaded.stream().filter(name -> name.startsWith(LIBRARY)).toList());
    }

    @Test
    void withAnAddressTheLibraryIsLoaded() throws Exception {
        List<String> loaded = classesLoadedBy("127.0.0.1:0");
        assertFalse(loaded.stream().noneMatch(name -> name.startsWith(LIBRARY)), "the check sees the library's classes");
    }

    /** The names of the classes a JVM running {@link RunLayerPath} loads. */
    private static List<String> classesLoadedBy(String address) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off", "-Xlog:class+load=info:stdout:none", "-cp", System.getProperty("java.class.path"),
                RunLayerPath.class.getName(), address).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM ends");
        assertEquals(0, child.exitValue(), output);
        // -Xlog:class+load lines: "java.lang.Object source: jrt:/java.base"
        return output.lines().filter(line -> line.contains(" source: ")).map(line -> line.split(" ", 2)[0]).toList();
    }

    /** What {@code virtsup run} does with its metrics, from start to exit, with metrics-address as given ("none": #f). */
    static final class RunLayerPath {
        public static void main(String[] arguments) throws Exception {
            Optional<String> address = arguments[0].equals("none") ? Optional.empty() : Optional.of(arguments[0]);
            VirtsupMetrics metrics = new VirtsupMetrics(Clock.systemUTC(), "1.2.3");
            metrics.endpoint().start(address);
            Supervision state = Supervision.initial(Policy.defaults(), EnumSet.allOf(Daemon.class));
            metrics.supervision().publish(state);
            Instant now = Instant.EPOCH;
            for (Event event : List.of(new Event.Boot(), new Event.Spawned(Daemon.VIRTLOGD, 100),
                    new Event.Ready(Daemon.VIRTLOGD, 100), new Event.Spawned(Daemon.LIBVIRTD, 101),
                    new Event.Ready(Daemon.LIBVIRTD, 101), new Event.Exited(101, new Termination.Killed(9, false)),
                    new Event.Spawned(Daemon.LIBVIRTD, 102), new Event.Ready(Daemon.LIBVIRTD, 102))) {
                now = now.plusMillis(300);
                Supervision before = state;
                state = state.on(event, now).supervision();
                metrics.supervision().record(before, state);
            }
            Reply ok = new Reply.ActionOutcome(Optional.empty(), Optional.empty(), OptionalInt.empty(), "ok", List.of());
            metrics.operators().counting(() -> CompletableFuture.completedFuture(ok), () -> "same").get();
            metrics.operators().counting((request, peer) -> CompletableFuture.completedFuture(
                    request instanceof Request.Status ? ok : new Reply.Failure(ErrorCode.NO_SUCH_DAEMON, "no")))
                    .handle(new Request.Status(Optional.empty()), null);
            metrics.endpoint().prepare(address).commit();
            metrics.endpoint().close();
        }
    }
}

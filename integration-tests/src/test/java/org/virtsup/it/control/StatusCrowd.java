package org.virtsup.it.control;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs inside the container (see {@link ContainerPrograms}): CLIENTS
 * connections, each on its own thread, released at the same moment, each
 * asking for status. Prints {@code answered A of N in MS ms} and one
 * {@code problem ...} line per distinct failure.
 *
 * <pre>StatusCrowd SOCKET CLIENTS</pre>
 */
public final class StatusCrowd {
    private StatusCrowd() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path socket = Path.of(args[0]);
        int clients = Integer.parseInt(args[1]);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        CountDownLatch connected = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentHashMap<String, Integer> problems = new ConcurrentHashMap<>();
        for (int i = 0; i < clients; i++) {
            threads.execute(() -> {
                boolean counted = false;
                try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    // Connect first: the server holds them in its backlog beyond its own connection limit.
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    connected.countDown();
                    counted = true;
                    go.await();
                    channel.write(ByteBuffer.wrap("{\"v\":1,\"command\":\"status\"}\n"
                            .getBytes(StandardCharsets.UTF_8)));
                    String reply = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                            StandardCharsets.UTF_8)).readLine();
                    if (reply != null && reply.contains("\"result\"") && reply.contains("\"daemons\"")) {
                        answered.incrementAndGet();
                    } else {
                        problems.merge("reply " + reply, 1, Integer::sum);
                    }
                } catch (Exception e) {
                    if (!counted) {
                        connected.countDown();
                    }
                    problems.merge(e.toString(), 1, Integer::sum);
                }
            });
        }
        boolean allConnected = connected.await(60, TimeUnit.SECONDS);
        long started = System.nanoTime();
        go.countDown();
        threads.shutdown();
        boolean finished = threads.awaitTermination(60, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("answered " + answered.get() + " of " + clients + " in " + millis + " ms");
        if (!allConnected) {
            System.out.println("problem: not every client connected within 60 s");
        }
        if (!finished) {
            System.out.println("problem: not every client had its reply within 60 s");
        }
        problems.forEach((problem, count) -> System.out.println("problem (" + count + "x): " + problem));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}

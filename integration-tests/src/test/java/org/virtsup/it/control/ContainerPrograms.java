package org.virtsup.it.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.virtsup.it.LibvirtHostContainer;

/**
 * Small Java programs of this package run inside the container, where there
 * is neither socat nor python3 and bash cannot open a unix socket. They are
 * compiled with the tests (so they are checked like any code) and their class
 * files are copied in; each uses the JDK only, except the notification
 * receiver, which needs jnr-unixsocket from virtsup's own class path (the
 * JDK 17 has unix stream sockets but no unix datagram sockets).
 */
final class ContainerPrograms {
    static final String CLASSES = "/opt/virtsup-it/classes";

    private ContainerPrograms() {
    }

    /** Copies the class files of {@code programs} (and their nested classes) into the container. */
    static void install(LibvirtHostContainer host, Class<?>... programs) {
        for (Class<?> program : programs) {
            for (Path file : classFiles(program)) {
                host.copyIn(file, CLASSES + "/" + program.getPackageName().replace('.', '/') + "/" + file.getFileName());
            }
        }
    }

    /** The command line that runs {@code program}'s main inside the container. */
    static String[] command(Class<?> program, String... arguments) {
        List<String> argv = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                CLASSES + ":" + LibvirtHostContainer.VIRTSUP_HOME + "/lib/*", program.getName()));
        argv.addAll(Arrays.asList(arguments));
        return argv.toArray(String[]::new);
    }

    private static List<Path> classFiles(Class<?> program) {
        URL url = program.getResource(program.getSimpleName() + ".class");
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("the class file of " + program.getName() + " is not a plain file: " + url);
        }
        try {
            Path file = Path.of(url.toURI());
            List<Path> files = new ArrayList<>(List.of(file));
            try (DirectoryStream<Path> nested = Files.newDirectoryStream(file.getParent(),
                    program.getSimpleName() + "$*.class")) {
                nested.forEach(files::add);
            }
            return files;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

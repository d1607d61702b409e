package org.virtsup.it.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.virtsup.it.Benchmark;
import org.virtsup.it.DockerEngine;
import org.virtsup.it.FullTests;
import org.virtsup.it.LocalImage;
import org.virtsup.it.TestSettings;

/**
 * virtsup's container image, built as packaging/container/build-image builds
 * it: packaging/container/Containerfile on the local base image, in a build
 * context holding only the Containerfile and the .deb. Built once per test
 * run (the first scenario that asks for it) under a tag of its own, removed
 * when the run ends.
 */
// JUnit closes an AutoCloseable value of the root store when the run ends (CloseableResource is deprecated since 5.13).
final class VirtsupImage implements AutoCloseable {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VirtsupImage.class);
    /** A cold build installs the package and makes its class-data archive: well under a minute here. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private final LocalImage image;

    private VirtsupImage(LocalImage image) {
        this.image = image;
    }

    /** The run's image, built on first use; JUnit closes (removes) it when the whole run ends. */
    static VirtsupImage shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(VirtsupImage.class, key -> build(), VirtsupImage.class);
    }

    /** The local base image, for scenarios that start from the plain base (the package on its own). */
    static String requireBaseImage() {
        Optional<String> engineProblem = DockerEngine.problem();
        FullTests.require(engineProblem.isEmpty(), "Testcontainers cannot use the Docker engine ("
                + engineProblem.orElse("") + "); start one with packaging/dev/docker-engine");
        Optional<String> base = TestSettings.baseImage();
        FullTests.require(base.isPresent(), "the base image is unknown: set VIRTSUP_BASE_IMAGE to the output of"
                + " packaging/container/build-base-image");
        FullTests.require(DockerEngine.hasImage(base.get()), "the image " + base.get()
                + " is not in the local Docker engine (it is never pulled): run packaging/container/build-base-image");
        return base.get();
    }

    private static VirtsupImage build() {
        String base = requireBaseImage();
        Path deb = PackagedDeb.require();
        Path containerfile = TestSettings.property("virtsup.home").map(Path::of)
                .orElseThrow(() -> new IllegalStateException("system property virtsup.home is not set"
                        + " (failsafe sets it to the source checkout)"))
                .resolve("packaging/container/Containerfile");
        Path context = null;
        long started = System.nanoTime();
        try {
            context = Files.createTempDirectory("virtsup-image-");
            Files.copy(containerfile, context.resolve("Containerfile"));
            Files.copy(deb, context.resolve(deb.getFileName()));
            LocalImage image = LocalImage.build("virtsup", context, context.resolve("Containerfile"),
                    Map.of("BASE", base, "VERSION", PackagedDeb.debianVersion()), BUILD_TIMEOUT);
            Benchmark.record("virtsup image build", Duration.ofNanos(System.nanoTime() - started));
            try {
                recordSizes(image.reference(), base);
            } catch (RuntimeException e) {
                image.close();
                throw e;
            }
            return new VirtsupImage(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the image's build context: " + e.getMessage(), e);
        } finally {
            if (context != null) {
                deleteTree(context);
            }
        }
    }

    private static void recordSizes(String image, String base) {
        long size = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getSize();
        long baseSize = DockerClientFactory.instance().client().inspectImageCmd(base).exec().getSize();
        Sizes.record("virtsup image size", size);
        Sizes.record("virtsup image size over its base " + base, size - baseSize);
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.out.println("cannot remove the build context " + directory + ": " + e.getMessage());
        }
    }

    String reference() {
        return image.reference();
    }

    @Override
    public void close() {
        image.close();
    }
}

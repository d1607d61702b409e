package org.virtsup.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import org.testcontainers.DockerClientFactory;

/**
 * An image a test builds in the local engine from a Containerfile, and
 * removes again: use it in try-with-resources or close it in
 * {@code @AfterAll}. Its tag is unique ({@code virtsup-it/NAME:RANDOM}), so
 * concurrent runs do not share it. Nothing is pulled: a {@code FROM} must
 * name a local image, typically the base image passed as a build argument.
 */
public final class LocalImage implements AutoCloseable {
    private final String reference;

    private LocalImage(String reference) {
        this.reference = reference;
    }

    /**
     * Builds {@code containerfile} with {@code context} as its build context.
     *
     * @param name        a short name for the tag, e.g. "virtsup-pid1"
     * @param buildArgs   build arguments (e.g. BASE_IMAGE → the base image)
     */
    public static LocalImage build(String name, Path context, Path containerfile, Map<String, String> buildArgs,
            Duration timeout) {
        Optional<String> engineProblem = DockerEngine.problem();
        FullTests.require(engineProblem.isEmpty(), "Testcontainers cannot use the Docker engine ("
                + engineProblem.orElse("") + "); start one with packaging/dev/docker-engine");
        if (!Files.isRegularFile(containerfile)) {
            throw new IllegalArgumentException("no Containerfile at " + containerfile);
        }
        String reference = "virtsup-it/" + name.toLowerCase(Locale.ROOT) + ":"
                + UUID.randomUUID().toString().substring(0, 12);
        BuildOutput output = new BuildOutput();
        BuildImageCmd command = DockerClientFactory.instance().client()
                .buildImageCmd()
                // The base directory first: docker-java otherwise expects context/Dockerfile.
                .withBaseDirectory(context.toFile())
                .withDockerfile(containerfile.toFile())
                .withTags(Set.of(reference))
                .withPull(false)
                .withRemove(true)
                .withForcerm(true);
        buildArgs.forEach(command::withBuildArg);
        try {
            command.exec(output).awaitImageId(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            throw new AssertionError("building " + containerfile + " failed: " + e.getMessage()
                    + "\n--- build output ---\n" + output.text(), e);
        }
        return new LocalImage(reference);
    }

    /** The image's reference (repository:tag), for {@link LibvirtHostContainer#withImage}. */
    public String reference() {
        return reference;
    }

    /** Removes the image (and so its tag); an image already gone is fine. */
    @Override
    public void close() {
        try {
            DockerClientFactory.instance().client().removeImageCmd(reference).withForce(true).exec();
        } catch (NotFoundException e) {
            // Already removed.
        }
    }

    @Override
    public String toString() {
        return reference;
    }

    /** Keeps the build's output, to show when it fails. */
    private static final class BuildOutput extends BuildImageResultCallback {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onNext(BuildResponseItem item) {
            if (item.getStream() != null) {
                synchronized (text) {
                    text.append(item.getStream());
                }
            }
            super.onNext(item);
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}

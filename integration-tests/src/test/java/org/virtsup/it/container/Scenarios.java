package org.virtsup.it.container;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;
import org.virtsup.it.Benchmark;

/**
 * The containers of one scenario (one test method), registered on an
 * instance field: {@code @RegisterExtension final Scenarios scenarios = new Scenarios();}.
 * {@link #inVirtsupImage} gives a container of virtsup's image (built once
 * per run, see {@link VirtsupImage}) to set up and start, {@link #onBaseImage}
 * one of the plain base image. When the scenario fails, each container's output, processes and
 * virtsup's status are printed; afterwards the containers are removed and the
 * scenario's duration is recorded as a benchmark.
 */
final class Scenarios implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {
    private final List<ScenarioContainer> containers = new ArrayList<>();
    private ExtensionContext context;
    private String scenario = "";
    private long started;

    @Override
    public void beforeEach(ExtensionContext context) {
        this.context = context;
        this.scenario = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        this.started = System.nanoTime();
    }

    /** A container of virtsup's image, not yet started: virtsup run is its PID 1. */
    ScenarioContainer inVirtsupImage() {
        return track(new ScenarioContainer(scenario, VirtsupImage.shared(context).reference()));
    }

    /** A container of the plain base image (no virtsup, no libvirt accounts), not yet started. */
    ScenarioContainer onBaseImage() {
        return track(new ScenarioContainer(scenario, VirtsupImage.requireBaseImage()));
    }

    private ScenarioContainer track(ScenarioContainer container) {
        containers.add(container);
        return container;
    }

    /** Before the containers go: a failed scenario shows what was in them. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        // A skipped scenario (a missing tool, see FullTests) is no failure to explain.
        if (context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent()) {
            System.out.println("=== " + scenario + " failed: " + context.getExecutionException().get());
            for (ScenarioContainer container : containers) {
                System.out.println(container.describeForFailure());
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Benchmark.record("container scenario " + scenario, Duration.ofNanos(System.nanoTime() - started));
        RuntimeException failure = null;
        for (ScenarioContainer container : containers) {
            try {
                container.close();
            } catch (RuntimeException e) {
                // Remove the others all the same; report the first failure.
                failure = failure == null ? e : failure;
            }
        }
        containers.clear();
        if (failure != null) {
            throw failure;
        }
    }
}

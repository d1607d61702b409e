package org.virtsup.it.supervision;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link SupervisorContainer} of one test's own, for tests that must not
 * depend on what an earlier test left in a shared one. Register it on an
 * instance field; the test starts its container with {@link #start}. A
 * failed test prints the container's log; the container is removed after
 * the test either way.
 */
final class OwnContainer implements AfterTestExecutionCallback, AfterEachCallback {
    private SupervisorContainer container;

    SupervisorContainer start(SupervisorContainer configured) {
        if (container != null) {
            throw new IllegalStateException("a test has one container of its own");
        }
        container = configured;
        return configured.start();
    }

    /** Runs before {@link #afterEach}: the container is still there to describe. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (container != null && context.getExecutionException().isPresent()) {
            System.out.println("=== " + context.getDisplayName() + " failed: " + context.getExecutionException().get());
            System.out.println(container.describeForFailure());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (container != null) {
            container.close();
            container = null;
        }
    }
}

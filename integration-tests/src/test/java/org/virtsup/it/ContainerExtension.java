package org.virtsup.it;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * A container that a test class shares, as a JUnit extension: started before
 * the class, removed after it, described on the console when a test fails.
 * When a tool is missing and the run allows skipping, each test is skipped
 * with the reason instead (surefire counts a class aborted as a whole as zero
 * tests, hiding it).
 */
public abstract class ContainerExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, TestWatcher, AutoCloseable {
    private Optional<String> skipReason = Optional.empty();

    /** Starts the container; a {@link TestAbortedException} means: skip this class's tests. */
    protected abstract void startForClass();

    /** What to print when a test failed: logs, processes, whatever explains it. */
    public abstract String describeForFailure();

    /** Removes the container and everything in it. */
    @Override
    public abstract void close();

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            startForClass();
        } catch (TestAbortedException e) {
            skipReason = Optional.of(e.getMessage());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        skipReason.ifPresent(Assumptions::abort);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        skipReason = Optional.empty();
        close();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.out.println("=== " + context.getDisplayName() + " failed: " + cause);
        System.out.println(describeForFailure());
    }
}

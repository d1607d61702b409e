package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The project's rule for tests that need an outside tool (a Docker engine, the
 * base image, libvirtd): with {@code VIRTSUP_FULL_TESTS=1}, which
 * {@code ./packaging/dev/test} and CI set after installing every tool, a
 * missing tool is a failure; anywhere else (an IDE, a bare {@code mvn verify})
 * the test is skipped and says what it missed.
 */
public final class FullTests {
    private FullTests() {
    }

    /** Whether this run promised that every outside tool is present. */
    public static boolean required() {
        return "1".equals(System.getenv("VIRTSUP_FULL_TESTS"))
                || "1".equals(TestSettings.property("virtsup.fullTests").orElse(""));
    }

    /**
     * Continues when {@code available}; otherwise fails or skips the calling
     * test (or test class, from a before-all callback).
     *
     * @param whatIsMissing what the test needed, and how to get it
     */
    public static void require(boolean available, String whatIsMissing) {
        require(required(), available, whatIsMissing);
    }

    static void require(boolean required, boolean available, String whatIsMissing) {
        if (available) {
            return;
        }
        if (required) {
            fail(whatIsMissing + " (VIRTSUP_FULL_TESTS=1 promises every outside tool;"
                    + " ./packaging/dev/test installs and starts them)");
        }
        Assumptions.abort(whatIsMissing + "; test skipped (with VIRTSUP_FULL_TESTS=1 this is a failure)");
    }
}

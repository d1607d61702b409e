package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class FullTestsTest {

    @Test
    void aMissingToolFailsWhenEveryToolWasPromised() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> FullTests.require(true, false, "no augtool"));
        assertTrue(failure.getMessage().startsWith("no augtool"), failure.getMessage());
        assertTrue(failure.getMessage().contains("VIRTSUP_FULL_TESTS=1"), failure.getMessage());
    }

    @Test
    void aMissingToolSkipsOtherwise() {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> FullTests.require(false, false, "no augtool"));
        assertTrue(skipped.getMessage().contains("no augtool"), skipped.getMessage());
    }

    @Test
    void aPresentToolGoesOnEitherWay() {
        assertDoesNotThrow(() -> FullTests.require(true, true, "unused"));
        assertDoesNotThrow(() -> FullTests.require(false, true, "unused"));
    }
}

package org.virtsup.config;

import java.util.concurrent.atomic.AtomicInteger;

/** How many inputs a fuzzed property tried and how many failed it, printed when the class is done. */
final class FuzzCount {
    private final String name;
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    FuzzCount(String name) {
        this.name = name;
    }

    /** Runs one input's check, counting it, and its failure if it throws. */
    void check(Runnable check) {
        tried.incrementAndGet();
        try {
            check.run();
        } catch (RuntimeException | Error e) {
            failed.incrementAndGet();
            throw e;
        }
    }

    void print() {
        System.out.println("virtsup-fuzz: " + name + ": " + tried.get() + " inputs tried, " + failed.get() + " failed");
    }
}

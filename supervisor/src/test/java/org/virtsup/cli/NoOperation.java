package org.virtsup.cli;

/** The benchmark's baseline: a JVM that starts and exits with the same class path and flags. */
public final class NoOperation {
    private NoOperation() {}

    public static void main(String[] args) {
        System.exit(0);
    }
}

package org.virtsup.it.bench;

/**
 * The floor of a status call: a JVM that starts, prints one line and exits,
 * timed beside {@code virtsup status} with the same JVM and flags.
 */
public final class HelloWorld {
    private HelloWorld() {}

    public static void main(String[] args) {
        System.out.println("hello, world");
    }
}

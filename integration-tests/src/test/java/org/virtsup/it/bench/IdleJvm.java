package org.virtsup.it.bench;

/**
 * The floor of {@code virtsup run}'s idle footprint: a JVM started with
 * run's flags that loads nothing of virtsup and waits. Measured idle beside
 * virtsup, it shows which part of virtsup's resident memory, anonymous memory
 * and threads any JVM with these flags has, and which part is virtsup's own.
 */
public final class IdleJvm {
    private IdleJvm() {}

    public static void main(String[] args) throws InterruptedException {
        System.out.println("waiting");
        Thread.sleep(Long.MAX_VALUE);
    }
}

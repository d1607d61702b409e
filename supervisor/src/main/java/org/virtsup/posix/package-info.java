/**
 * The POSIX seam: the one door through which the supervisor starts, signals
 * and reaps processes and sets up files ({@link org.virtsup.posix.Posix}).
 *
 * <p>{@link org.virtsup.posix.JnrPosix} binds libc through jnr-ffi (x86_64
 * Linux, glibc 2.34+ preferred). Children are started with posix_spawn so that
 * they get exactly descriptors 0-2, an empty signal mask, default signal
 * dispositions and a process group of their own, whatever the JVM has open,
 * blocked or ignored. The values of this package (exit statuses, signal
 * names, errors) load without jnr, for the CLI client.
 *
 * <p>The tests hold a strict fake, {@code FakePosix}, and one contract suite,
 * {@code PosixContract}, that both the fake and the kernel must pass.
 */
package org.virtsup.posix;

package org.virtsup.posix;

/** Both ends of a pipe; both are close-on-exec in the process that made it. */
public record Pipe(int readFd, int writeFd) {}

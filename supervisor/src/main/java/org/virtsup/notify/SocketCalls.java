package org.virtsup.notify;

import jnr.ffi.Pointer;
import jnr.ffi.types.ssize_t;

/**
 * The two libc calls that receiving a datagram with its sender's credentials
 * needs, bound through jnr-ffi on their own: jnr-posix would bind several
 * hundred functions to reach these two, a start-up cost of 100-300 ms
 * measured here that would delay READY=1.
 */
public interface SocketCalls {
    int setsockopt(int socket, int level, int option, Pointer value, int length);

    @ssize_t
    long recvmsg(int socket, Pointer message, int flags);
}

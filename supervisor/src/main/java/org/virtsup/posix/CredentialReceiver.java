package org.virtsup.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import jnr.constants.platform.Errno;
import jnr.constants.platform.SocketLevel;
import jnr.constants.platform.SocketOption;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Part of the door to POSIX: receives datagrams on a socket with SO_PASSCRED set, by recvmsg(2), and
 * returns with each the pid the kernel wrote into its SCM_CREDENTIALS message.
 *
 * <p>The structures are laid out by hand from the address size, which on
 * Linux is also the size of size_t: struct msghdr {name, namelen (int, padded),
 * iov, iovlen, control, controllen, flags}, struct iovec {base, len},
 * struct cmsghdr {len, level (int), type (int), data aligned to size_t},
 * struct ucred {pid, uid, gid} (ints).
 */
public final class CredentialReceiver {
    private static final int SCM_CREDENTIALS = 2;
    private static final int UCRED_SIZE = 12;

    private final int socket;
    private final LibC calls;
    private final Runtime runtime;
    private final int word;
    private final int capacity;
    private final Pointer data;
    private final Pointer iovec;
    private final Pointer message;
    private final Pointer control;
    private final int controlSpace;
    private final int dataOffset;

    private CredentialReceiver(int socket, LibC calls, int capacity) {
        this.socket = socket;
        this.calls = calls;
        this.runtime = Runtime.getRuntime(calls);
        this.word = runtime.addressSize();
        this.capacity = capacity;
        this.data = Memory.allocateDirect(runtime, capacity);
        this.iovec = Memory.allocateDirect(runtime, 2 * word);
        this.message = Memory.allocateDirect(runtime, 7 * word);
        this.dataOffset = align(word + 8);
        this.controlSpace = dataOffset + align(UCRED_SIZE);
        this.control = Memory.allocateDirect(runtime, controlSpace);
    }

    /**
     * Sets SO_PASSCRED on {@code socket} and returns a receiver for it.
     *
     * @throws IOException when the option cannot be set or libc cannot be bound
     */
    public static CredentialReceiver enable(int socket, int capacity) throws IOException {
        LibC calls;
        try {
            calls = LibraryLoader.create(LibC.class).load(jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName());
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("cannot bind libc's setsockopt and recvmsg: " + e, e);
        }
        Runtime runtime = Runtime.getRuntime(calls);
        Pointer on = Memory.allocateDirect(runtime, 4);
        on.putInt(0, 1);
        if (calls.setsockopt(socket, SocketLevel.SOL_SOCKET.intValue(), SocketOption.SO_PASSCRED.intValue(), on, 4)
                != 0) {
            throw new IOException("setsockopt SO_PASSCRED: " + Errno.valueOf(LastError.getLastError(runtime)));
        }
        return new CredentialReceiver(socket, calls, capacity);
    }

    /**
     * Blocks for one datagram, copies it into {@code into} (cleared, then
     * flipped; cut to its capacity) and returns the sender's pid.
     */
    public OptionalInt receive(ByteBuffer into) throws IOException {
        while (true) {
            iovec.putAddress(0, data.address());
            iovec.putAddress(word, capacity);
            message.putAddress(0, 0L);
            message.putInt(word, 0);
            message.putAddress(2L * word, iovec.address());
            message.putAddress(3L * word, 1);
            message.putAddress(4L * word, control.address());
            message.putAddress(5L * word, controlSpace);
            message.putInt(6L * word, 0);
            long length = calls.recvmsg(socket, message, 0);
            if (length < 0) {
                int errno = LastError.getLastError(runtime);
                if (errno == Errno.EINTR.intValue()) {
                    continue;
                }
                throw new IOException("recvmsg: " + Errno.valueOf(errno));
            }
            into.clear();
            int copied = (int) Math.min(length, into.capacity());
            byte[] bytes = new byte[copied];
            data.get(0, bytes, 0, copied);
            into.put(bytes);
            into.flip();
            return sender();
        }
    }

    private OptionalInt sender() {
        long controlLength = message.getAddress(5L * word);
        if (controlLength < dataOffset + UCRED_SIZE) {
            return OptionalInt.empty();
        }
        int level = control.getInt(word);
        int type = control.getInt(word + 4L);
        if (level != SocketLevel.SOL_SOCKET.intValue() || type != SCM_CREDENTIALS) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(control.getInt(dataOffset));
    }

    private int align(int size) {
        return (size + word - 1) / word * word;
    }
}

package org.virtsup.posix;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A unix datagram socket bound at a path, read with recvmsg(2) and its
 * SCM_RIGHTS: what the kernel delivers to a receiver such as systemd's notify
 * socket. Each descriptor received is reported by its socket inode, then closed.
 */
final class KernelInbox implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MAX_DESCRIPTORS = 16;

    private final LibC libc;
    private final Runtime runtime;
    private final int fd;

    private KernelInbox(LibC libc, int fd) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.fd = fd;
    }

    static KernelInbox bind(String path) {
        LibC libc = LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
        Runtime runtime = Runtime.getRuntime(libc);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        byte[] encoded = path.getBytes(StandardCharsets.UTF_8);
        Pointer address = Memory.allocateDirect(runtime, 110, true);
        address.putShort(0, (short) AF_UNIX);
        address.put(2, encoded, 0, encoded.length);
        assertTrue(fd >= 0 && libc.bind(fd, address, 2 + encoded.length + 1) == 0,
                "bind a datagram socket at " + path + ": errno " + runtime.getLastError());
        return new KernelInbox(libc, fd);
    }

    FakePosix.Datagram next() {
        int word = runtime.addressSize();
        int header = (word + 8 + word - 1) / word * word;
        Pointer data = Memory.allocateDirect(runtime, 4096, true);
        Pointer iovec = Memory.allocateDirect(runtime, 2L * word, true);
        iovec.putAddress(0, data.address());
        iovec.putAddress(word, 4096);
        int controlSpace = header + 4 * MAX_DESCRIPTORS;
        Pointer control = Memory.allocateDirect(runtime, controlSpace, true);
        Pointer message = Memory.allocateDirect(runtime, 7L * word, true);
        message.putAddress(2L * word, iovec.address());
        message.putAddress(3L * word, 1);
        message.putAddress(4L * word, control.address());
        message.putAddress(5L * word, controlSpace);
        long length = libc.recvmsg(fd, message, MSG_DONTWAIT);
        if (length < 0) {
            fail("no datagram received: errno " + runtime.getLastError());
        }
        byte[] text = new byte[(int) length];
        data.get(0, text, 0, text.length);
        List<Long> inodes = new ArrayList<>();
        if (message.getAddress(5L * word) >= header) {
            int count = (int) (control.getAddress(0) - header) / 4;
            JnrPosix posix = new JnrPosix();
            for (int i = 0; i < count; i++) {
                int received = control.getInt(header + 4L * i);
                inodes.add(posix.socketInode(received));
                posix.close(received);
            }
        }
        return new FakePosix.Datagram(new String(text, StandardCharsets.UTF_8), List.copyOf(inodes));
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}

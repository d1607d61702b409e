package org.virtsup.notify;

import jnr.unixsocket.UnixSocketAddress;

/**
 * A {@code NOTIFY_SOCKET} value as systemd and libvirt read it: a file system
 * path, or {@code @name} for a name in Linux's abstract namespace.
 */
public record NotifyAddress(String value) {

    public NotifyAddress {
        if (value.isEmpty() || (!value.startsWith("/") && !value.startsWith("@"))) {
            throw new IllegalArgumentException("NOTIFY_SOCKET must be an absolute path or @name, not '"
                    + value + "'");
        }
        if (value.length() > 107) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is longer than a unix socket address allows"
                    + " (107 bytes): " + value);
        }
    }

    public boolean isAbstract() {
        return value.startsWith("@");
    }

    /** The socket address, with the abstract name's leading NUL in place of '@'. */
    UnixSocketAddress socketAddress() {
        return new UnixSocketAddress(isAbstract() ? "\0" + value.substring(1) : value);
    }

    @Override
    public String toString() {
        return value;
    }
}

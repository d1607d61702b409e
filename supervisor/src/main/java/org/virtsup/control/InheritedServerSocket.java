package org.virtsup.control;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.channels.spi.SelectorProvider;
import jnr.enxio.channels.NativeSelectorProvider;
import jnr.unixsocket.UnixServerSocketChannel;

/**
 * A listening unix socket this process already has, as jnr-unixsocket's
 * channel: the control socket handed across a live re-exec, which must go on
 * listening (clients wait in its backlog) rather than be bound anew (clients
 * refused meanwhile). jnr-unixsocket builds such a channel only through a
 * package-private constructor, reached here; {@code InheritedServerSocketTest}
 * fails at once should a new jnr version drop it.
 */
final class InheritedServerSocket {
    private InheritedServerSocket() {}

    static UnixServerSocketChannel channel(int fd) throws IOException {
        try {
            Constructor<UnixServerSocketChannel> constructor =
                    UnixServerSocketChannel.class.getDeclaredConstructor(SelectorProvider.class, int.class);
            constructor.setAccessible(true);
            return constructor.newInstance(NativeSelectorProvider.getInstance(), fd);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IOException("this jnr-unixsocket cannot wrap an inherited socket: " + e, e);
        } catch (InvocationTargetException e) {
            throw new IOException("cannot wrap the inherited socket fd " + fd + ": " + e.getCause(), e.getCause());
        }
    }
}

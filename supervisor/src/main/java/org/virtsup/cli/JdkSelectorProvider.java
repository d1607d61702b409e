package org.virtsup.cli;

import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;

/**
 * Spares a client JVM the JDK's search for a selector provider. The first
 * {@code SocketChannel.open} asks {@link SelectorProvider#provider()}, which,
 * unless the system property {@value #PROPERTY} names a class, asks the
 * ServiceLoader, which opens every jar on the class path in search of a
 * provider file: some 30 jars, a fifth of a {@code virtsup status} without
 * the class-data archive. Naming the JDK's own Linux default in the property
 * skips the search and changes nothing else: the JDK then makes the provider
 * it would have made. Only when that class is there as JDK 17 to 25 have it
 * (public, a {@link SelectorProvider}, a public constructor); otherwise the
 * JDK searches as before.
 */
final class JdkSelectorProvider {
    static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";
    /** What {@code sun.nio.ch.DefaultSelectorProvider} makes on Linux. */
    static final String EPOLL = "sun.nio.ch.EPollSelectorProvider";

    private JdkSelectorProvider() {}

    /** Names the JDK's default provider in {@value #PROPERTY}, unless something is named there already. */
    static void nameTheDefault() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            Class<?> epoll = Class.forName(EPOLL, false, null);
            if (SelectorProvider.class.isAssignableFrom(epoll) && Modifier.isPublic(epoll.getModifiers())
                    && !Modifier.isAbstract(epoll.getModifiers())) {
                epoll.getConstructor();
                System.setProperty(PROPERTY, EPOLL);
            }
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError | SecurityException e) {
            // Another JDK or another system: its own search finds its provider.
        }
    }
}

package org.virtsup.run;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * Routes the signals virtsup takes orders from (TERM, INT, HUP, USR1) to a
 * callback, through the JVM's own signal dispatch ({@code sun.misc.Signal},
 * exported by the jdk.unsupported module). The JVM runs the callback on a
 * thread of its own; the callback only posts an event to the event loop.
 *
 * <p>It is reached reflectively on purpose: javac flags any direct use of
 * {@code sun.misc.Signal} under {@code --release} with a warning that cannot be
 * suppressed, and the build treats warnings as errors. USR2 (HotSpot's) and
 * QUIT (thread dumps) are never touched. CHLD only wakes a reaper that sleeps
 * for want of children; reaping itself is the reaper's blocking waitpid.
 */
public final class JvmSignals {
    private JvmSignals() {}

    /** Installs {@code onSignal} for each name (e.g. "TERM"); it receives the name. */
    public static void route(Consumer<String> onSignal, String... names) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            InvocationHandler dispatch = (proxy, method, args) -> {
                if (method.getName().equals("handle") && args != null && args.length == 1) {
                    onSignal.accept((String) getName.invoke(args[0]));
                    return null;
                }
                if (method.getName().equals("toString")) {
                    return "virtsup signal router";
                }
                if (method.getName().equals("hashCode")) {
                    return System.identityHashCode(proxy);
                }
                if (method.getName().equals("equals")) {
                    return proxy == args[0];
                }
                throw new UnsupportedOperationException(method.getName());
            };
            Object handler = Proxy.newProxyInstance(JvmSignals.class.getClassLoader(),
                    new Class<?>[] {handlerClass}, dispatch);
            for (String name : names) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                handle.invoke(null, signal, handler);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install handlers for " + String.join(", ", names)
                    + ": this JVM does not offer sun.misc.Signal (module jdk.unsupported)", e);
        }
    }
}

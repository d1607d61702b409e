package org.virtsup.run;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.virtsup.supervise.Action;
import org.virtsup.supervise.Daemon;
import org.virtsup.supervise.Event;

/**
 * Each daemon's one timer on the event loop (start timeout, stop timeout,
 * restart delay), as the core armed it: arming replaces the daemon's previous
 * timer, and a timer that fires becomes the core's {@link Event.TimerFired}.
 */
final class DaemonTimers {
    /** A daemon's timer with what armed it. */
    private record Armed(Action.ArmTimer arm, EventLoop.Timer timer) {}

    private final EventLoop loop;
    private final Consumer<Event> fired;
    private final Map<Daemon, Armed> timers = new EnumMap<>(Daemon.class);

    DaemonTimers(EventLoop loop, Consumer<Event> fired) {
        this.loop = loop;
        this.fired = fired;
    }

    void arm(Action.ArmTimer arm) {
        cancel(arm.daemon());
        Armed[] armed = new Armed[1];
        armed[0] = new Armed(arm, loop.schedule(arm.delay(), () -> {
            timers.remove(arm.daemon(), armed[0]);
            fired.accept(new Event.TimerFired(arm.daemon(), arm.kind(), arm.generation()));
        }));
        timers.put(arm.daemon(), armed[0]);
    }

    void cancel(Daemon daemon) {
        Armed old = timers.remove(daemon);
        if (old != null) {
            old.timer().cancel();
        }
    }

    void cancelAll() {
        timers.values().forEach(armed -> armed.timer().cancel());
        timers.clear();
    }

    /** The timer held for {@code daemon}, as armed. */
    Optional<Action.ArmTimer> armed(Daemon daemon) {
        return Optional.ofNullable(timers.get(daemon)).map(Armed::arm);
    }
}

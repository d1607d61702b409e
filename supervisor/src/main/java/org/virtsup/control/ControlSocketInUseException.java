package org.virtsup.control;

import java.io.IOException;
import java.nio.file.Path;

/** Another virtsup answers on the control socket: this one must not start. */
public final class ControlSocketInUseException extends IOException {
    public ControlSocketInUseException(Path socket) {
        super("another virtsup is running: its control socket " + socket + " accepts connections."
                + " Stop it first (virtsup status shows its pid), or set a different control-socket"
                + " in (supervisor-configuration ...)");
    }
}

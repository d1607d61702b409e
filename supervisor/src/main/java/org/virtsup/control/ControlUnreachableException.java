package org.virtsup.control;

import java.io.IOException;
import java.nio.file.Path;

/** virtsup did not answer on its control socket: not running, or not in time. */
public final class ControlUnreachableException extends IOException {
    public ControlUnreachableException(Path socket, String reason) {
        super("virtsup does not answer on " + socket + ": " + reason);
    }
}

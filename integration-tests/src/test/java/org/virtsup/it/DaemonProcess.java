package org.virtsup.it;

import java.util.List;

/**
 * A daemon a test started inside a container: its pid there, what was run,
 * and the file its standard output and error go to.
 */
public record DaemonProcess(String name, int pid, List<String> argv, String logFile) {
    public DaemonProcess {
        argv = List.copyOf(argv);
    }
}

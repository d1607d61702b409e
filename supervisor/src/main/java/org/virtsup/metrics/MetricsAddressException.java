package org.virtsup.metrics;

import java.io.IOException;

/** The configured metrics-address cannot be served: a configuration error that names it and the fix. */
public final class MetricsAddressException extends IOException {
    public MetricsAddressException(String address, String problem, Throwable cause) {
        super("metrics-address \"" + address + "\" " + problem, cause);
    }
}

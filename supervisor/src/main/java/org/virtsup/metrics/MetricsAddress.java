package org.virtsup.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code HOST:PORT} (an IPv6 host in brackets) as the configuration writes it, to a socket address. */
final class MetricsAddress {
    private MetricsAddress() {}

    static InetSocketAddress resolve(String address) throws MetricsAddressException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new MetricsAddressException(address, "is not HOST:PORT; write e.g. \"127.0.0.1:9474\"", null);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new MetricsAddressException(address, "has no port; write e.g. \"127.0.0.1:9474\"", e);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new MetricsAddressException(address, "cannot be resolved (" + e.getMessage()
                    + "); write an address of this host such as \"127.0.0.1:9474\"", e);
        }
    }
}

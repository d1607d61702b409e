package org.virtsup.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A daemon's handed sockets in the status reply: {@code "sockets":[{"name":..,"address":..,"inode":..,"listening":..}]}. */
final class SocketsOnWire {
    private SocketsOnWire() {}

    static List<Map<String, Object>> toWire(List<StatusReport.Socket> sockets) {
        List<Map<String, Object>> wire = new ArrayList<>();
        for (StatusReport.Socket socket : sockets) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", socket.name());
            m.put("address", socket.address());
            m.put("inode", socket.inode());
            m.put("listening", socket.listening());
            wire.add(m);
        }
        return wire;
    }

    /** Absent (an older virtsup) is no sockets. */
    static List<StatusReport.Socket> fromWire(Object value) {
        List<StatusReport.Socket> sockets = new ArrayList<>();
        if (!(value instanceof List<?> list)) {
            return sockets;
        }
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)
                    || !(m.get("address") instanceof String address) || !(m.get("inode") instanceof Number inode)) {
                throw new IllegalArgumentException("\"sockets\" holds something that is not a socket: " + item);
            }
            sockets.add(new StatusReport.Socket(name, address, inode.longValue(), Boolean.TRUE.equals(m.get("listening"))));
        }
        return sockets;
    }
}

package org.virtsup.config;

import java.util.Optional;

/** What libvirt (or virtsup) accepts for one field's value, beyond its type. */
@FunctionalInterface
public interface ValueRule {
    ValueRule ANY = value -> Optional.empty();

    /** Empty when the value is acceptable; otherwise what is wrong and what is allowed. */
    Optional<String> problem(Object value);
}

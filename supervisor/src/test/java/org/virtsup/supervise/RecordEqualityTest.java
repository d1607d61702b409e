package org.virtsup.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The records whose {@code equals} and {@code hashCode} are written out
 * rather than generated (linking a record's own costs the launch; see
 * {@link DaemonState#equals}), held to a record's own rule: equal exactly
 * when every component is equal by {@code Objects.equals}, and equal records
 * hash alike. For each component, a copy that differs in that component
 * alone must not be equal, so a component added to the record and left out
 * of {@code equals} fails here; a copy made of equal but distinct values must
 * be equal, so a component compared by identity fails too.
 */
class RecordEqualityTest {

    @Test
    void daemonState() {
        check(DaemonState.initial(Daemon.LIBVIRTD, true));
        check((Record) sample(DaemonState.class, true)); // every optional component present
    }

    @Test
    void supervision() {
        check(Supervision.initial(Policy.defaults(), EnumSet.allOf(Daemon.class)));
    }

    @Test
    void theStateRecordersKey() throws ClassNotFoundException {
        check((Record) sample(Class.forName("org.virtsup.run.StateRecorder$Key"), true));
    }

    private static void check(Record record) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            values[i] = valueOf(record, components[i]);
        }
        Object[] copies = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            copies[i] = equalCopy(values[i]);
        }
        Record copy = construct(record.getClass(), copies);
        assertNotSame(record, copy);
        assertEquals(record, copy, "a copy of equal components");
        assertEquals(copy, record, "a copy of equal components");
        assertEquals(record.hashCode(), copy.hashCode(), "equal records hash alike");
        assertNotEquals(record, null);
        assertNotEquals(record, new Object());
        for (int i = 0; i < components.length; i++) {
            Object[] changed = values.clone();
            changed[i] = different(components[i].getType(), components[i].getGenericType(), values[i]);
            Record other = construct(record.getClass(), changed);
            String what = record.getClass().getSimpleName() + " differing in " + components[i].getName() + " alone";
            assertNotEquals(record, other, what);
            assertNotEquals(other, record, what);
        }
    }

    /** A value of {@code type} other than {@code value}, keeping what the record's constructor checks. */
    private static Object different(Class<?> type, Type generic, Object value) {
        if (type == boolean.class) {
            return !(Boolean) value;
        }
        if (type == int.class) {
            return (Integer) value + 1;
        }
        if (type == long.class) {
            return (Long) value + 1;
        }
        if (type == String.class) {
            return value + "x";
        }
        if (type == Instant.class) {
            return ((Instant) value).plusSeconds(1);
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[(((Enum<?>) value).ordinal() + 1) % constants.length];
        }
        if (type == Optional.class) {
            Optional<?> optional = (Optional<?>) value;
            return optional.isPresent() ? Optional.empty() : Optional.of(sample(argumentOf(generic), true));
        }
        if (type.isRecord()) {
            // Another last component: the first (a DaemonState's daemon) is what the records around check.
            RecordComponent[] components = type.getRecordComponents();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = valueOf((Record) value, components[i]);
            }
            int last = components.length - 1;
            values[last] = different(components[last].getType(), components[last].getGenericType(), values[last]);
            return construct(type.asSubclass(Record.class), values);
        }
        if (type == Map.class) {
            // Supervision's daemons: the same daemons, one of them in another state.
            Map<Daemon, DaemonState> states = new EnumMap<>(Daemon.class);
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                states.put((Daemon) entry.getKey(), (DaemonState) entry.getValue());
            }
            states.put(Daemon.VIRTLOGD, (DaemonState) different(DaemonState.class, DaemonState.class,
                    states.get(Daemon.VIRTLOGD)));
            return states;
        }
        return fail("no other value of " + type + " is known here: add one");
    }

    /** A value of {@code type}; {@code present}: optional components hold a value. */
    private static Object sample(Class<?> type, boolean present) {
        if (type == boolean.class || type == Boolean.class) {
            return false;
        }
        if (type == int.class || type == Integer.class) {
            return 1;
        }
        if (type == long.class || type == Long.class) {
            return 1L;
        }
        if (type == String.class) {
            return "x";
        }
        if (type == Instant.class) {
            return Instant.EPOCH;
        }
        if (type == Termination.class) {
            return new Termination.Exited(1);
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].getType() == Optional.class
                        ? (present ? Optional.of(sample(argumentOf(components[i].getGenericType()), false))
                                : Optional.empty())
                        : sample(components[i].getType(), false);
            }
            return construct(type.asSubclass(Record.class), values);
        }
        return fail("no sample of " + type + " is known here: add one");
    }

    /** Equal to {@code value} but, where it can be, another object. */
    private static Object equalCopy(Object value) {
        if (value instanceof String text) {
            return new String(text.toCharArray());
        }
        if (value instanceof Instant instant) {
            return Instant.ofEpochSecond(instant.getEpochSecond(), instant.getNano());
        }
        if (value instanceof Optional<?> optional) {
            return optional.map(RecordEqualityTest::equalCopy);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Daemon, Object> copy = new EnumMap<>(Daemon.class);
            map.forEach((key, element) -> copy.put((Daemon) key, equalCopy(element)));
            return copy;
        }
        if (value instanceof Record record) {
            RecordComponent[] components = record.getClass().getRecordComponents();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = equalCopy(valueOf(record, components[i]));
            }
            return construct(record.getClass(), values);
        }
        return value; // primitives, enums
    }

    private static Class<?> argumentOf(Type generic) {
        Type argument = ((ParameterizedType) generic).getActualTypeArguments()[0];
        return argument instanceof Class<?> plain ? plain : (Class<?>) ((ParameterizedType) argument).getRawType();
    }

    private static Object valueOf(Record record, RecordComponent component) {
        try {
            var accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Record construct(Class<? extends Record> type, Object[] values) {
        Class<?>[] types = new Class<?>[type.getRecordComponents().length];
        for (int i = 0; i < types.length; i++) {
            types[i] = type.getRecordComponents()[i].getType();
        }
        try {
            Constructor<? extends Record> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("constructing " + type.getSimpleName(), e);
        }
    }
}

package org.virtsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The typed accessors and the catalog name the same fields: one accessor per field, camelCase without '?'. */
class TypedAccessorsTest {
    private static final Set<String> NOT_FIELDS = Set.of("settings", "positionOf", "defaults", "equals", "hashCode", "toString");

    private static Set<String> accessors(Class<?> type) {
        Set<String> names = new TreeSet<>();
        // Accessors of fields that several sections share live in a common superclass.
        for (Class<?> c = type; c != SectionConfiguration.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
                        && m.getParameterCount() == 0 && !NOT_FIELDS.contains(m.getName())) {
                    names.add(m.getName());
                }
            }
        }
        return names;
    }

    private static Set<String> expected(Section section) {
        Set<String> names = new TreeSet<>();
        for (Field field : section.fields()) {
            String[] words = field.name().replace("?", "").split("-");
            StringBuilder camel = new StringBuilder(words[0]);
            Arrays.stream(words).skip(1).forEach(w -> camel.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1)));
            names.add(camel.toString());
        }
        return names;
    }

    @Test
    void oneAccessorPerCatalogField() {
        assertEquals(expected(Section.LIBVIRT), accessors(LibvirtConfiguration.class));
        assertEquals(expected(Section.VIRTLOG), accessors(VirtlogConfiguration.class));
        assertEquals(expected(Section.SUPERVISOR), accessors(SupervisorConfiguration.class));
    }

    @Test
    void accessorsReturnTheCatalogDefaults() throws ReflectiveOperationException {
        LibvirtConfiguration libvirt = LibvirtConfiguration.defaults("h");
        for (Field field : Section.LIBVIRT.fields()) {
            String accessor = expected(Section.LIBVIRT).stream()
                    .filter(n -> n.equalsIgnoreCase(field.name().replace("?", "").replace("-", ""))).findFirst().orElseThrow();
            Object value = LibvirtConfiguration.class.getMethod(accessor).invoke(libvirt);
            Object expected = field.defaultValue().value("h");
            assertEquals(expected instanceof Long l && value instanceof Integer ? (Object) l.intValue() : expected, value, field.name());
        }
        assertEquals(List.of(), libvirt.accessDrivers());
    }
}

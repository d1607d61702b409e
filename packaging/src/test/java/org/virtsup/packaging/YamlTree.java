package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;

/**
 * One node of a parsed YAML document, with its path for the failure messages:
 * a test that walks a manifest says which key is missing or has the wrong kind.
 */
record YamlTree(String path, Object value) {

    YamlTree get(String key) {
        Object child = asMap().get(key);
        if (child == null) {
            fail(path + ": no key '" + key + "'");
        }
        return new YamlTree(path + "." + key, child);
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> map && map.containsKey(key);
    }

    String text() {
        if (!(value instanceof String string)) {
            return fail(path + ": expected a string, found " + describe());
        }
        return string;
    }

    int integer() {
        if (!(value instanceof Integer number)) {
            return fail(path + ": expected an integer, found " + describe());
        }
        return number;
    }

    boolean flag() {
        if (!(value instanceof Boolean bool)) {
            return fail(path + ": expected a boolean, found " + describe());
        }
        return bool;
    }

    List<YamlTree> items() {
        if (!(value instanceof List<?> list)) {
            return fail(path + ": expected a list, found " + describe());
        }
        return java.util.stream.IntStream.range(0, list.size())
                .mapToObj(i -> new YamlTree(path + "[" + i + "]", list.get(i)))
                .toList();
    }

    List<String> texts() {
        return items().stream().map(YamlTree::text).toList();
    }

    private Map<?, ?> asMap() {
        if (!(value instanceof Map<?, ?> map)) {
            return fail(path + ": expected a mapping, found " + describe());
        }
        return map;
    }

    private String describe() {
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
    }
}

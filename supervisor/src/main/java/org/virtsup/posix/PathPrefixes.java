package org.virtsup.posix;

import java.util.ArrayList;
import java.util.List;

/** The directories a path goes through, as mkdirs creates them; jnr-free so the fake can share it. */
final class PathPrefixes {
    private PathPrefixes() {}

    /** "/a//b/./c/" → "/a", "/a/b", "/a/b/c"; relative paths likewise, without the leading slash. */
    static List<String> of(String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("mkdir: empty path");
        }
        List<String> prefixes = new ArrayList<>();
        StringBuilder prefix = new StringBuilder(path.startsWith("/") ? "/" : "");
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (prefix.length() > 0 && prefix.charAt(prefix.length() - 1) != '/') {
                prefix.append('/');
            }
            prefix.append(part);
            prefixes.add(prefix.toString());
        }
        return prefixes;
    }
}

package org.virtsup.config;

/** What becomes of a field in the daemon's file. */
public sealed interface Rendering {

    /** How {@code explain} says it. */
    String describe();

    /** Written as {@code key = value}; the key is the one libvirt 9.0 reads. */
    record Key(String key) implements Rendering {
        @Override
        public String describe() {
            return "written as '" + key + "'";
        }
    }

    /**
     * libvirt 9.0 no longer reads this setting: written as a comment line
     * under Guix's key so the file still shows it, e.g.
     * {@code # max_requests = 20 (not read by libvirt 9.0)}.
     */
    record IgnoredByLibvirt(String key) implements Rendering {
        public static final String NOTE = "(not read by libvirt 9.0)";

        @Override
        public String describe() {
            return "not read by libvirt 9.0 (written as a comment '# " + key + " = ...')";
        }
    }

    /** Not part of the daemon's file at all. */
    record NotWritten(String reason) implements Rendering {
        @Override
        public String describe() {
            return "not written to any file: " + reason;
        }
    }
}

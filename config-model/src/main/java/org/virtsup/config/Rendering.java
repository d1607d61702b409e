package org.virtsup.config;

/** What becomes of a field in the daemon's file. */
public sealed interface Rendering {

    /** How {@code explain} says it. */
    String describe();

    /** Written as {@code key = value}; the key is the one libvirt reads (9.0 and later). */
    record Key(String key) implements Rendering {
        @Override
        public String describe() {
            return "written as '" + key + "'";
        }
    }

    /**
     * libvirt no longer reads this setting (none of the releases virtsup
     * supports, 9.0 and later): written as a comment line under Guix's key so
     * the file still shows it, naming the libvirt that runs, e.g.
     * {@code # max_requests = 20 (not read by libvirt 11.3)}.
     */
    record IgnoredByLibvirt(String key) implements Rendering {
        /** The comment's note for the libvirt {@code version} the file is rendered for. */
        public static String note(LibvirtVersion version) {
            return "(not read by libvirt " + version.release() + ")";
        }

        @Override
        public String describe() {
            return "not read by libvirt 9.0 or later (written as a comment '# " + key + " = ...')";
        }
    }

    /**
     * A virtsup extension: a key libvirt reads that Guix's service types do
     * not model. Written only when the configuration sets it: as
     * {@code key = value} for libvirt {@code readFrom} and later, as a
     * comment for an older libvirt (whose augeas lens would refuse the key).
     */
    record Extension(String key, LibvirtVersion readFrom) implements Rendering {
        /** The comment's note when the libvirt {@code version} does not read the key. */
        public String note(LibvirtVersion version) {
            return "(not read by libvirt " + version.release() + "; read from " + readFrom.release() + " on)";
        }

        @Override
        public String describe() {
            return "a virtsup extension (GNU Guix's service type has no such field): written as '" + key
                    + "' when set, for libvirt " + readFrom.release() + " and later (a comment for an older one);"
                    + " unset, libvirt's own default applies";
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

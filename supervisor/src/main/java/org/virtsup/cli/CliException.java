package org.virtsup.cli;

/**
 * A command cannot complete; the message tells the user what to do. Its kind
 * decides the exit code, in one place: {@link Main#exitCodeOf(Throwable)}.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Wrong command line: exit 2, with the command's usage line. */
    public static final class Usage extends CliException {
        private static final long serialVersionUID = 1L;
        private final String usage;

        public Usage(String message, String usage) {
            super(message);
            this.usage = usage;
        }

        public String usage() {
            return usage;
        }
    }

    /** The configuration is invalid or cannot be read: exit 78. Problems already printed have no message. */
    public static final class InvalidConfiguration extends CliException {
        private static final long serialVersionUID = 1L;

        public InvalidConfiguration(String message) {
            super(message);
        }
    }
}

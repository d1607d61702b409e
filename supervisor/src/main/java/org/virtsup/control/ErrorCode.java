package org.virtsup.control;

/** Why a request was not carried out; the wire name is what clients match on. */
public enum ErrorCode {
    /** The line was not a JSON object or lacked a field. */
    BAD_REQUEST("bad-request"),
    /** A request line longer than {@link ControlProtocol#MAX_LINE_BYTES}. */
    REQUEST_TOO_LARGE("request-too-large"),
    UNSUPPORTED_VERSION("unsupported-version"),
    UNKNOWN_COMMAND("unknown-command"),
    PERMISSION_DENIED("permission-denied"),
    NO_SUCH_DAEMON("no-such-daemon"),
    /** The daemon did not reach the wanted state; the message says why. */
    FAILED("failed"),
    /** A reload found the configuration file invalid; nothing was changed. */
    INVALID_CONFIGURATION("invalid-configuration"),
    /** The supervisor is shutting down. */
    SHUTTING_DOWN("shutting-down"),
    INTERNAL("internal-error");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The code for a wire name; an unknown one (a newer server) reads as {@link #INTERNAL}. */
    public static ErrorCode fromWire(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(wireName)) {
                return code;
            }
        }
        return INTERNAL;
    }
}

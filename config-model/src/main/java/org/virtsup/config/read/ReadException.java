package org.virtsup.config.read;


/** The file is not well-formed: the reader cannot go on past this point. */
public final class ReadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Position position;

    public ReadException(Position position, String message) {
        super(message);
        this.position = position;
    }

    public Position position() {
        return position;
    }
}

package org.virtsup.config.read;

/** A place in a configuration file: 1-based line and column. */
public record Position(String file, int line, int column) implements Comparable<Position> {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }

    @Override
    public int compareTo(Position other) {
        int byFile = file.compareTo(other.file);
        if (byFile != 0) {
            return byFile;
        }
        return line != other.line ? Integer.compare(line, other.line) : Integer.compare(column, other.column);
    }
}

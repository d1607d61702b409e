package org.virtsup.config.read;

import java.util.List;

/**
 * One datum of the configuration file as written, with the position of its
 * first character. The reader only recognises syntax; deciding which data
 * are allowed where is the loader's job.
 */
public sealed interface Datum {

    Position position();

    /** How the datum is named in messages: {@code string "abc"}, {@code symbol 'foo'}, ... */
    String describe();

    record Str(String value, Position position) implements Datum {
        @Override
        public String describe() {
            return "string " + quoted(value);
        }
    }

    record Int(long value, Position position) implements Datum {
        @Override
        public String describe() {
            return "integer " + value;
        }
    }

    record Bool(boolean value, Position position) implements Datum {
        @Override
        public String describe() {
            return "boolean " + (value ? "#t" : "#f");
        }
    }

    /** A bare name: {@code libvirt-service-type}, {@code string-append}, {@code %base-services}, {@code 1.5}. */
    record Sym(String name, Position position) implements Datum {
        @Override
        public String describe() {
            return "symbol '" + name + "'";
        }
    }

    /** A parenthesised list. */
    record ListDatum(List<Datum> items, Position position) implements Datum {
        public ListDatum {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            if (!items.isEmpty() && items.get(0) instanceof Sym head) {
                return "(" + head.name() + " ...)";
            }
            return items.isEmpty() ? "()" : "a list";
        }
    }

    /** {@code 'x}, {@code `x}, {@code ,x} or {@code ,@x}. */
    record Prefixed(Prefix prefix, Datum datum, Position position) implements Datum {
        @Override
        public String describe() {
            return prefix.description + " " + prefix.token + datum.describeShort();
        }
    }

    /** A shorter form used inside {@link Prefixed#describe()}. */
    default String describeShort() {
        if (this instanceof ListDatum list) {
            return list.items().isEmpty() ? "()" : "(...)";
        }
        if (this instanceof Sym sym) {
            return sym.name();
        }
        if (this instanceof Str str) {
            return quoted(str.value());
        }
        return describe();
    }

    enum Prefix {
        QUOTE("'", "quoted datum"),
        QUASIQUOTE("`", "quasiquote"),
        UNQUOTE(",", "unquote"),
        UNQUOTE_SPLICING(",@", "unquote-splicing");

        public final String token;
        public final String description;

        Prefix(String token, String description) {
            this.token = token;
            this.description = description;
        }
    }

    /** A string as Scheme would write it, escapes included, for messages. */
    static String quoted(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%x;", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

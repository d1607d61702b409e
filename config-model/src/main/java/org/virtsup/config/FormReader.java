package org.virtsup.config;

import org.virtsup.config.read.Position;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.virtsup.config.read.Datum;

/**
 * Turns the data of a file into the settings of its forms, reporting every
 * problem it meets and going on after each one. Only data are accepted: any
 * form that Guile would have to evaluate is refused, naming what was found.
 */
final class FormReader {
    static final String TOP_LEVEL_ALLOWED =
            "a configuration file holds only (service libvirt-service-type ...), (service virtlog-service-type ...) "
            + "and (supervisor-configuration ...) forms";
    private static final String DATA_ONLY = " (values are data: nothing is evaluated)";

    private final String hostName;
    private final List<Diagnostic> diagnostics;
    private final Map<Section, Settings> forms = new EnumMap<>(Section.class);
    private final Map<Section, Position> declaredAt = new EnumMap<>(Section.class);

    private FormReader(String hostName, List<Diagnostic> diagnostics) {
        this.hostName = hostName;
        this.diagnostics = diagnostics;
    }

    /** The settings of each form the file declares; problems go to {@code diagnostics}. */
    static Map<Section, Settings> read(List<Datum> data, String hostName, List<Diagnostic> diagnostics) {
        FormReader reader = new FormReader(hostName, diagnostics);
        for (Datum datum : data) {
            reader.topLevel(datum);
        }
        return reader.forms;
    }

    private void topLevel(Datum datum) {
        if (!(datum instanceof Datum.ListDatum list) || list.items().isEmpty()
                || !(list.items().get(0) instanceof Datum.Sym head)) {
            error(datum.position(), "found " + datum.describe() + " at the top level; " + TOP_LEVEL_ALLOWED);
            return;
        }
        switch (head.name()) {
            case "service" -> service(list);
            case "supervisor-configuration" -> form(Section.SUPERVISOR, list, list.position(), list.position());
            default -> {
                String suggestion = NameSuggestion.didYouMean(head.name(), List.of("service", "supervisor-configuration"));
                error(head.position(), "(" + head.name() + " ...) is not allowed at the top level; " + TOP_LEVEL_ALLOWED + suggestion);
            }
        }
    }

    private void service(Datum.ListDatum list) {
        List<Datum> items = list.items();
        if (items.size() < 2) {
            error(list.position(), "(service) needs a service type: libvirt-service-type or virtlog-service-type");
            return;
        }
        List<String> types = List.of("libvirt-service-type", "virtlog-service-type");
        if (!(items.get(1) instanceof Datum.Sym type)) {
            error(items.get(1).position(), "a service type was expected, found " + items.get(1).describe()
                    + "; allowed: libvirt-service-type, virtlog-service-type");
            return;
        }
        Optional<Section> section = Section.byServiceType(type.name());
        if (section.isEmpty()) {
            error(type.position(), "unknown service type '" + type.name() + "'; virtsup supervises libvirt-service-type and virtlog-service-type"
                    + NameSuggestion.didYouMean(type.name(), types));
            return;
        }
        Section s = section.get();
        if (items.size() > 3) {
            error(items.get(3).position(), "(service " + type.name() + " ...) takes one configuration, found another datum: "
                    + items.get(3).describe());
        }
        if (items.size() == 2) {
            declare(s, type.position(), Settings.defaults(s, list.position(), hostName));
            return;
        }
        Datum config = items.get(2);
        if (config instanceof Datum.ListDatum form && !form.items().isEmpty() && form.items().get(0) instanceof Datum.Sym formHead) {
            if (formHead.name().equals(s.formName())) {
                form(s, form, type.position(), list.position());
                return;
            }
            String suggestion = NameSuggestion.closest(formHead.name(), List.of(s.formName()))
                    .map(c -> "; did you mean '" + c + "'?").orElse("");
            error(formHead.position(), type.name() + " takes a (" + s.formName() + " ...), found (" + formHead.name() + " ...)" + suggestion);
            return;
        }
        error(config.position(), type.name() + " takes a (" + s.formName() + " ...), found " + config.describe() + DATA_ONLY);
    }

    private void form(Section section, Datum.ListDatum form, Position declaredPosition, Position formPosition) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field field : section.fields()) {
            values.put(field.name(), field.defaultValue().value(hostName));
        }
        Map<String, Position> written = new LinkedHashMap<>();
        Map<String, Position> namesAt = new LinkedHashMap<>();
        List<String> names = section.fields().stream().map(Field::name).collect(Collectors.toList());
        for (Datum item : form.items().subList(1, form.items().size())) {
            if (!(item instanceof Datum.ListDatum entry) || entry.items().isEmpty()
                    || !(entry.items().get(0) instanceof Datum.Sym name)) {
                error(item.position(), section.formName() + " takes fields such as (" + section.fields().get(1).name() + " "
                        + section.fields().get(1).type().write(section.fields().get(1).defaultValue().value(hostName))
                        + "), found " + item.describe());
                continue;
            }
            Optional<Field> field = section.field(name.name());
            if (field.isEmpty()) {
                String suggestion = NameSuggestion.closest(name.name(), names).map(c -> "; did you mean '" + c + "'?")
                        .orElse("; run 'virtsup explain' to list the fields");
                error(name.position(), section.formName() + " has no field '" + name.name() + "'" + suggestion);
                continue;
            }
            if (namesAt.containsKey(name.name())) {
                Position first = namesAt.get(name.name());
                error(name.position(), "field '" + name.name() + "' is given twice in " + section.formName()
                        + " (first at " + first.line() + ":" + first.column() + "); keep one");
                continue;
            }
            namesAt.put(name.name(), name.position());
            if (entry.items().size() != 2) {
                Position at = entry.items().size() < 2 ? entry.position() : entry.items().get(2).position();
                error(at, "field '" + name.name() + "' takes exactly one value, found " + (entry.items().size() - 1)
                        + "; allowed: " + field.get().type().allowed());
                continue;
            }
            Datum value = entry.items().get(1);
            Optional<Object> converted = convert(field.get(), value);
            if (converted.isPresent()) {
                values.put(name.name(), converted.get());
                written.put(name.name(), value.position());
            }
        }
        declare(section, declaredPosition, new Settings(section, formPosition, values, written));
    }

    private void declare(Section section, Position at, Settings settings) {
        if (declaredAt.containsKey(section)) {
            Position first = declaredAt.get(section);
            String what = section.serviceType().map(t -> "service " + t).orElse("(" + section.formName() + " ...)");
            error(at, what + " is declared twice (first at " + first.line() + ":" + first.column() + "); declare it once");
            return;
        }
        declaredAt.put(section, at);
        forms.put(section, settings);
    }

    /** The value of {@code datum} for {@code field}, or empty after reporting why it is refused. */
    private Optional<Object> convert(Field field, Datum datum) {
        String prefix = "field '" + field.name() + "' ";
        switch (field.type()) {
            case BOOLEAN -> {
                if (datum instanceof Datum.Bool b) {
                    return Optional.of(b.value());
                }
                Optional<Boolean> meant = meantBoolean(datum);
                if (meant.isPresent()) {
                    error(datum.position(), prefix + "expects #t or #f, found " + datum.describe() + "; write " + (meant.get() ? "#t" : "#f"));
                    return Optional.empty();
                }
            }
            case INTEGER -> {
                if (datum instanceof Datum.Int i) {
                    return Optional.of(i.value());
                }
                if (datum instanceof Datum.Str s && s.value().matches("-?[0-9]+")) {
                    error(datum.position(), prefix + "expects an integer, found " + datum.describe() + "; write " + s.value() + " without quotes");
                    return Optional.empty();
                }
                if (datum instanceof Datum.Sym sym && sym.name().matches("[+-]?[0-9]*\\.[0-9]*([eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+|[+-]?[0-9]+/[0-9]+")) {
                    error(datum.position(), prefix + "expects an integer, found number " + sym.name() + "; only integers are allowed");
                    return Optional.empty();
                }
            }
            case STRING, OPTIONAL_STRING, PACKAGE -> {
                if (datum instanceof Datum.Str s) {
                    return Optional.of(s.value());
                }
                if (datum instanceof Datum.Int i) {
                    error(datum.position(), prefix + "expects a string, found " + datum.describe() + "; write \"" + i.value() + "\"");
                    return Optional.empty();
                }
                if (field.type() == FieldType.PACKAGE && datum instanceof Datum.Sym sym) {
                    error(datum.position(), prefix + "expects an installation prefix such as \"/usr\", found " + datum.describe()
                            + "; a Guix package cannot be used here" + DATA_ONLY);
                    return Optional.empty();
                }
            }
            case MAYBE_STRING -> {
                if (datum instanceof Datum.Str s) {
                    return Optional.of(s.value());
                }
                if (datum instanceof Datum.Bool b && !b.value()) {
                    return Optional.of(false);
                }
            }
            case OPTIONAL_LIST -> {
                return list(field, datum);
            }
        }
        error(datum.position(), prefix + "expects " + field.type().allowed() + ", found " + datum.describe() + codeNote(datum));
        return Optional.empty();
    }

    private Optional<Object> list(Field field, Datum datum) {
        String prefix = "field '" + field.name() + "' ";
        List<Datum> elements = null;
        if (datum instanceof Datum.Prefixed q && q.prefix() == Datum.Prefix.QUOTE && q.datum() instanceof Datum.ListDatum l) {
            elements = l.items();
        } else if (datum instanceof Datum.ListDatum l && !l.items().isEmpty()
                && l.items().get(0) instanceof Datum.Sym head && head.name().equals("list")) {
            elements = l.items().subList(1, l.items().size());
        } else if (datum instanceof Datum.ListDatum l && l.items().size() == 2
                && l.items().get(0) instanceof Datum.Sym head && head.name().equals("quote")
                && l.items().get(1) instanceof Datum.ListDatum quoted) {
            elements = quoted.items();
        } else if (datum instanceof Datum.ListDatum l && l.items().isEmpty()) {
            error(datum.position(), prefix + "expects " + field.type().allowed() + ", found (); write '() for the empty list");
            return Optional.empty();
        }
        if (elements == null && datum instanceof Datum.Str s) {
            error(datum.position(), prefix + "expects " + field.type().allowed() + ", found " + datum.describe()
                    + "; write '(" + Datum.quoted(s.value()) + ")");
            return Optional.empty();
        }
        if (elements == null) {
            error(datum.position(), prefix + "expects " + field.type().allowed() + ", found " + datum.describe() + codeNote(datum));
            return Optional.empty();
        }
        List<String> strings = new ArrayList<>();
        boolean ok = true;
        for (Datum element : elements) {
            if (element instanceof Datum.Str s) {
                strings.add(s.value());
            } else {
                error(element.position(), prefix + "is a list of strings, found " + element.describe()
                        + " in it; write each element in double quotes");
                ok = false;
            }
        }
        return ok ? Optional.of(List.copyOf(strings)) : Optional.empty();
    }

    /** What a boolean written another way (1, "yes", true) most likely means. */
    private static Optional<Boolean> meantBoolean(Datum datum) {
        String text = datum instanceof Datum.Int i ? Long.toString(i.value())
                : datum instanceof Datum.Str s ? s.value().toLowerCase(java.util.Locale.ROOT)
                : datum instanceof Datum.Sym sym ? sym.name().toLowerCase(java.util.Locale.ROOT) : "";
        return switch (text) {
            case "1", "yes", "true", "on", "#t" -> Optional.of(true);
            case "0", "no", "false", "off", "#f" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private static String codeNote(Datum datum) {
        if (datum instanceof Datum.ListDatum || datum instanceof Datum.Sym
                || (datum instanceof Datum.Prefixed p && p.prefix() != Datum.Prefix.QUOTE)) {
            return DATA_ONLY;
        }
        return "";
    }

    private void error(Position position, String message) {
        diagnostics.add(Diagnostic.error(position, message));
    }
}

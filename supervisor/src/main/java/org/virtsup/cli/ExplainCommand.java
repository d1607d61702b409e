package org.virtsup.cli;

import java.util.ArrayList;
import java.util.List;
import org.virtsup.config.Field;
import org.virtsup.config.FieldCatalog;
import org.virtsup.config.FieldType;
import org.virtsup.config.NameSuggestion;
import org.virtsup.config.Rendering;
import org.virtsup.config.Section;

/** {@code virtsup explain [FIELD]}: the fields, their types, defaults and what libvirt makes of them. */
final class ExplainCommand implements Command {

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String summary() {
        return "list the configuration's fields, or document one";
    }

    @Override
    public String help() {
        return """
                usage: virtsup explain [FIELD|FORM]
                Without an argument, lists every field of libvirt-configuration,
                virtlog-configuration and supervisor-configuration with its type and default.
                With a field name (e.g. unix-sock-group, listen-tls?), prints its documentation,
                type, default and the key it becomes in the daemon's file. With a form name
                (e.g. virtlog-configuration), lists that form's fields.

                Options:
                  -h, --help  this text

                Exit status: 0 ok, 2 usage or unknown field.
                """;
    }

    @Override
    public int run(List<String> arguments, Invocation invocation) {
        Arguments args = Arguments.parse(arguments, false, this);
        if (args.help()) {
            invocation.out().print(help());
            return ExitCode.OK;
        }
        if (args.operands().size() > 1) {
            throw new CliException.Usage("unexpected argument " + args.operands().get(1), usage());
        }
        if (args.operands().isEmpty()) {
            for (Section section : Section.values()) {
                list(section, invocation);
            }
            return ExitCode.OK;
        }
        String name = args.operands().get(0);
        for (Section section : Section.values()) {
            if (section.formName().equals(name) || section.serviceType().filter(name::equals).isPresent()) {
                list(section, invocation);
                return ExitCode.OK;
            }
        }
        List<Field> matches = FieldCatalog.all().stream().filter(f -> f.name().equals(name)).toList();
        if (matches.isEmpty()) {
            List<String> names = new ArrayList<>(FieldCatalog.all().stream().map(Field::name).distinct().toList());
            for (Section section : Section.values()) {
                names.add(section.formName());
            }
            throw new CliException.Usage("no field '" + name + "'" + NameSuggestion.closest(name, names)
                    .map(c -> "; did you mean '" + c + "'?").orElse("; run 'virtsup explain' to list the fields"), usage());
        }
        for (int i = 0; i < matches.size(); i++) {
            if (i > 0) {
                invocation.out().println();
            }
            describe(matches.get(i), invocation);
        }
        return ExitCode.OK;
    }

    private static void list(Section section, Invocation invocation) {
        String header = section.serviceType().map(t -> "(service " + t + " (" + section.formName() + " ...))")
                .orElse("(" + section.formName() + " ...)");
        invocation.out().println(header + section.fileName().map(f -> " -> " + f).orElse(""));
        for (Field field : section.fields()) {
            // Fields Guix does not have are marked: a file using them is no longer one Guix accepts.
            String extension = field.rendering() instanceof Rendering.Extension ? "  (virtsup extension)" : "";
            invocation.out().printf("  %-27s %-16s %s%s%n", field.name(), field.type().guixName(),
                    field.defaultValue().description(), extension);
        }
    }

    private static void describe(Field field, Invocation invocation) {
        invocation.out().println(field.name() + " (" + field.section().formName() + ")");
        invocation.out().println("  type:    " + field.type().guixName()
                + (field.type() == FieldType.PACKAGE ? " (here: an installation prefix string)" : ""));
        invocation.out().println("  default: " + field.defaultValue().description());
        String file = field.writtenToFile() ? field.section().fileName().map(f -> f + ": ").orElse("") : "";
        invocation.out().println("  file:    " + file + field.rendering().describe());
        invocation.out().println();
        for (String line : field.documentation().split("\n", -1)) {
            invocation.out().println(line.isEmpty() ? "" : "  " + line);
        }
    }
}

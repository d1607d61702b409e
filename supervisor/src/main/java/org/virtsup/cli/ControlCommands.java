package org.virtsup.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.virtsup.control.ControlClient;
import org.virtsup.control.ControlProtocol;
import org.virtsup.control.ControlServerSettings;
import org.virtsup.control.ControlUnreachableException;
import org.virtsup.control.ErrorCode;
import org.virtsup.control.ProtocolException;
import org.virtsup.control.Reply;
import org.virtsup.control.Request;
import org.virtsup.control.StatusReport;
import org.virtsup.control.StatusText;
import org.virtsup.control.Verb;

/**
 * The commands that talk to a running virtsup through its control socket:
 * status, start, stop, restart, reload, signal, log.
 *
 * <p>Main dispatches with one line: {@code if (ControlCommands.handles(command))
 * return ControlCommands.run(command, rest, System.out, System.err, System.getenv());}
 * or wraps each of {@link #names()} as a command with {@link #summary}, {@link #help}
 * and {@link #run}.
 *
 * <p>This path loads no jnr, no Logback and nothing reflective: it is what
 * health probes run every few seconds.
 */
public final class ControlCommands {
    public static final String SOCKET_ENVIRONMENT = "VIRTSUP_SOCKET";
    /** The error code {@code --json} prints when virtsup does not answer (never sent by a server). */
    public static final String UNREACHABLE_CODE = "unreachable";

    /** A status probe should fail fast; a start or restart waits for the daemon. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ACTION_TIMEOUT = Duration.ofMinutes(15);

    private ControlCommands() {}

    public static boolean handles(String command) {
        return Verb.named(command).isPresent();
    }

    /** The commands, in the order help lists them: {@link Verb}'s. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Verb verb : Verb.values()) {
            names.add(verb.word());
        }
        return List.copyOf(names);
    }

    /**
     * Every command as {@code virtsup --help} lists it: the command and its
     * operands, padded, then its summary, e.g.
     * {@code "log NAME [-n LINES]    show a daemon's last output lines"}.
     */
    public static List<String> summaries() {
        List<String> lines = new ArrayList<>();
        for (String command : names()) {
            String synopsis = usage(command).replaceFirst("^virtsup ", "")
                    .replace(" [--json]", "").replace(" [--socket PATH]", "").replace(" [--timeout SECONDS]", "");
            lines.add(String.format("%-23s%s", synopsis, summary(command)));
        }
        return lines;
    }

    /** One line for {@code virtsup --help}. */
    public static String summary(String command) {
        return verb(command).summary();
    }

    private static Verb verb(String command) {
        Optional<Verb> verb = Verb.named(command);
        if (verb.isEmpty()) {
            throw new IllegalArgumentException("no control command " + command);
        }
        return verb.get();
    }

    /**
     * Runs one control command.
     *
     * @param command one of {@link #handles}
     * @param args    the arguments after the command
     * @param env     the environment ({@value #SOCKET_ENVIRONMENT} names the socket)
     * @return the exit code
     */
    public static int run(String command, List<String> args, PrintStream out, PrintStream err,
                          Map<String, String> env) {
        if (!handles(command)) {
            err.println("virtsup: unknown command '" + command + "'");
            return ExitCode.USAGE;
        }
        Options options;
        try {
            options = Options.parse(command, args);
        } catch (IllegalArgumentException e) {
            err.println("virtsup " + command + ": " + e.getMessage());
            err.println("usage: " + usage(command));
            return ExitCode.USAGE;
        }
        if (options.help) {
            out.print(help(command));
            return ExitCode.OK;
        }
        Request request;
        try {
            request = options.request(command);
        } catch (IllegalArgumentException e) {
            err.println("virtsup " + command + ": " + e.getMessage());
            err.println("usage: " + usage(command));
            return ExitCode.USAGE;
        }
        JdkSelectorProvider.nameTheDefault();
        String fromEnvironment = env.get(SOCKET_ENVIRONMENT);
        Path socket = options.socket != null ? Path.of(options.socket)
                : fromEnvironment != null && !fromEnvironment.isEmpty() ? Path.of(fromEnvironment)
                : ConfiguredSocket.resolve(ControlServerSettings.DEFAULT_SOCKET, Invocation.DEFAULT_CONFIG);
        if (request instanceof Request.Reexec) {
            Duration patience = options.timeoutSeconds > 0 ? Duration.ofSeconds(options.timeoutSeconds)
                    : ReexecFollow.PATIENCE;
            return new ReexecFollow(socket, patience, READ_TIMEOUT, out, err).run(options.json);
        }
        Duration timeout = options.timeoutSeconds > 0 ? Duration.ofSeconds(options.timeoutSeconds)
                : request.mutating() ? ACTION_TIMEOUT : READ_TIMEOUT;
        Reply reply;
        try {
            reply = new ControlClient(socket, timeout).call(request);
        } catch (ControlUnreachableException e) {
            err.println("virtsup " + command + ": " + e.getMessage());
            if (options.json) {
                // For tools reading stdout: the same shape as a server's error, with a code
                // only the client uses.
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", UNREACHABLE_CODE);
                error.put("message", e.getMessage());
                Map<String, Object> wire = new LinkedHashMap<>();
                wire.put("v", ControlProtocol.VERSION);
                wire.put("error", error);
                out.println(ControlProtocol.write(wire));
            }
            return ExitCode.UNREACHABLE;
        } catch (ProtocolException e) {
            err.println("virtsup " + command + ": " + e.getMessage());
            return ExitCode.FAILURE;
        }
        if (options.json) {
            out.println(ControlProtocol.write(ControlProtocol.replyToWire(reply)));
        } else {
            print(command, reply, out, err);
        }
        return exitCode(request, reply);
    }

    static int exitCode(Request request, Reply reply) {
        if (reply instanceof Reply.Failure f) {
            switch (f.code()) {
                case INVALID_CONFIGURATION:
                    return ExitCode.INVALID_CONFIGURATION;
                case SHUTTING_DOWN:
                    return ExitCode.UNREACHABLE;
                default:
                    return ExitCode.FAILURE;
            }
        }
        if (reply instanceof StatusReport s) {
            // Named, like systemctl status UNIT: is it up? Unnamed: is everything wanted up?
            boolean fine = request.daemon().isPresent() ? s.allRunning() : s.allWantedRunning();
            return fine ? ExitCode.OK : ExitCode.NOT_RUNNING;
        }
        return ExitCode.OK;
    }

    private static void print(String command, Reply reply, PrintStream out, PrintStream err) {
        if (reply instanceof Reply.Failure f) {
            err.println("virtsup " + command + ": " + f.message());
            if (f.code() == ErrorCode.PERMISSION_DENIED) {
                err.println("virtsup " + command + ": (run it as root, or add yourself to the control group)");
            }
        } else if (reply instanceof StatusReport s) {
            out.print(StatusText.render(s, Instant.now()));
        } else if (reply instanceof Reply.ActionOutcome a) {
            out.println(a.message());
            for (String warning : a.warnings()) {
                err.println("virtsup " + command + ": warning: " + warning);
            }
        } else if (reply instanceof Reply.LogOutput l) {
            for (String line : l.lines()) {
                out.println(line);
            }
        }
    }

    public static String usage(String command) {
        Verb verb = verb(command);
        boolean waits = verb.mutating() && (verb.operands() == Verb.Operands.NAME || verb.operands() == Verb.Operands.NONE);
        String options = waits ? " [--json] [--socket PATH] [--timeout SECONDS] " : " [--json] [--socket PATH] ";
        return ("virtsup " + verb.word() + options + verb.operands().synopsis()).strip();
    }

    /** {@code --help}'s text: a usage line, what the command does, its options. */
    public static String help(String command) {
        String what = verb(command).description();
        return "usage: " + usage(command) + "\n\n" + what + "\n"
                + "Options:\n"
                + "  --socket PATH      the control socket (default: $" + SOCKET_ENVIRONMENT + ", else "
                + ControlServerSettings.DEFAULT_SOCKET + ",\n"
                + "                     else the control-socket " + Invocation.DEFAULT_CONFIG + " names)\n"
                + "  --json             print the reply as one JSON object\n"
                + "  --timeout SECONDS  give up waiting after this long (exit 4)\n"
                + (command.equals("log") ? "  -n LINES           how many lines\n" : "")
                + "  -h, --help         this text\n";
    }

    /** The parsed command line of one control command. */
    private static final class Options {
        String socket;
        boolean json;
        boolean help;
        long timeoutSeconds;
        int lines = Request.Log.DEFAULT_LINES;
        final List<String> operands = new ArrayList<>();

        static Options parse(String command, List<String> args) {
            Options o = new Options();
            boolean operandsOnly = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (operandsOnly || !arg.startsWith("-") || arg.equals("-")) {
                    o.operands.add(arg);
                } else if (arg.equals("--")) {
                    operandsOnly = true;
                } else if (arg.equals("-h") || arg.equals("--help")) {
                    o.help = true;
                } else if (arg.equals("--json")) {
                    o.json = true;
                } else if (arg.equals("--socket") || arg.startsWith("--socket=")) {
                    o.socket = value(args, i, arg, "--socket");
                    if (!arg.contains("=")) {
                        i++;
                    }
                    if (o.socket.isEmpty()) {
                        throw new IllegalArgumentException("--socket needs a path");
                    }
                } else if (arg.equals("--timeout") || arg.startsWith("--timeout=")) {
                    o.timeoutSeconds = positive(value(args, i, arg, "--timeout"), "--timeout", Long.MAX_VALUE);
                    if (!arg.contains("=")) {
                        i++;
                    }
                } else if (command.equals("log") && (arg.equals("-n") || arg.startsWith("--lines")
                        || (arg.startsWith("-n") && arg.length() > 2))) {
                    String text;
                    if (arg.equals("-n") || arg.equals("--lines")) {
                        text = value(args, i, arg, arg);
                        i++;
                    } else if (arg.startsWith("--lines=")) {
                        text = arg.substring("--lines=".length());
                    } else {
                        text = arg.substring(2);
                    }
                    o.lines = (int) positive(text, "-n", Request.Log.MAX_LINES);
                } else if (command.equals("signal") && arg.length() > 1
                        && Character.isLetterOrDigit(arg.charAt(1)) && o.operands.size() == 1) {
                    // kill(1) style: "signal libvirtd -HUP".
                    o.operands.add(arg.substring(1));
                } else {
                    throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            return o;
        }

        private static String value(List<String> args, int i, String arg, String name) {
            int equals = arg.indexOf('=');
            if (equals >= 0) {
                return arg.substring(equals + 1);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args.get(i + 1);
        }

        private static long positive(String text, String name, long max) {
            try {
                long value = Long.parseLong(text);
                if (value >= 1 && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
            throw new IllegalArgumentException(name + " must be a whole number from 1 to " + max + ", not '"
                    + text + "'");
        }

        Request request(String command) {
            Verb verb = verb(command);
            switch (verb.operands()) {
                case NONE -> expect(0, 0);
                case OPTIONAL_NAME -> expect(0, 1);
                case NAME_AND_SIGNAL -> expect(2, 2);
                default -> expect(1, 1);
            }
            return switch (verb) {
                case STATUS -> new Request.Status(optionalName());
                case RELOAD -> new Request.Reload(optionalName());
                case START -> new Request.Start(operands.get(0));
                case STOP -> new Request.Stop(operands.get(0));
                case RESTART -> new Request.Restart(operands.get(0));
                case SIGNAL -> new Request.Signal(operands.get(0), org.virtsup.supervise.Signal.named(operands.get(1)));
                case LOG -> new Request.Log(operands.get(0), lines);
                case REEXEC -> new Request.Reexec();
            };
        }

        private Optional<String> optionalName() {
            return operands.isEmpty() ? Optional.empty() : Optional.of(operands.get(0));
        }

        private void expect(int min, int max) {
            if (operands.size() < min) {
                throw new IllegalArgumentException(min == 2 ? "needs a daemon name and a signal"
                        : "needs a daemon name (libvirtd or virtlogd)");
            }
            if (operands.size() > max) {
                throw new IllegalArgumentException("too many arguments: " + String.join(" ",
                        operands.subList(max, operands.size())));
            }
            for (String operand : operands) {
                if (operand.isEmpty()) {
                    throw new IllegalArgumentException("an empty name");
                }
            }
        }
    }
}

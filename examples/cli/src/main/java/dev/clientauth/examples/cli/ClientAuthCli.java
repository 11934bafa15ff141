package dev.clientauth.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code clientauth} command-line tool.
 *
 * <p>Exit codes: 0 success; 2 usage or configuration error; 3 the authorization server answered
 * with an RFC 6749 §5.2 error; 4 transport or TLS failure; 5 malformed response.
 */
@Command(name = "clientauth", mixinStandardHelpOptions = true, version = "clientauth 0.1.0-SNAPSHOT",
        description = "OAuth 2.0 client authentication for machine-to-machine integrations.",
        subcommands = {TokenCommand.class, DPoPProofCommand.class, ThumbprintCommand.class, JwksCommand.class, KeysCommand.class})
public final class ClientAuthCli implements Runnable {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int OAUTH_ERROR = 3;
    public static final int TRANSPORT = 4;
    public static final int MALFORMED = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the tool with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new ClientAuthCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage());
            err.println("run with --help for usage");
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler(new Failures(err));
        return commandLine.execute(args);
    }
}

package dev.clientauth.examples.cli;

import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.DPoPException;
import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.OAuthErrorResponseException;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.UnexpectedStatusException;
import dev.clientauth.core.metadata.InvalidMetadataException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** Maps failures to one or two lines on stderr and the documented exit codes. */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    private final PrintWriter err;

    Failures(PrintWriter err) {
        this.err = err;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        boolean verbose = Arrays.asList(parseResult.originalArgs().toArray(new String[0])).contains("--verbose");
        int code;
        if (e instanceof OAuthErrorResponseException) {
            OAuthErrorResponseException error = (OAuthErrorResponseException) e;
            err.println("error: " + error.error() + " (HTTP " + error.statusCode() + ")");
            error.description().ifPresent(d -> err.println("error_description: " + d));
            code = ClientAuthCli.OAUTH_ERROR;
        } else if (e instanceof TokenTransportException || e instanceof UnexpectedStatusException) {
            err.println("error: " + e.getMessage());
            code = ClientAuthCli.TRANSPORT;
        } else if (e instanceof MalformedTokenResponseException || e instanceof InvalidMetadataException
                || e instanceof DPoPException) {
            err.println("error: " + e.getMessage());
            code = ClientAuthCli.MALFORMED;
        } else if (e instanceof ClientAuthenticationException) {
            err.println("error: " + e.getMessage());
            code = ClientAuthCli.USAGE;
        } else if (e instanceof ConfigurationException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            err.println("error: " + e.getMessage());
            code = ClientAuthCli.USAGE;
        } else {
            err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            code = ClientAuthCli.TRANSPORT;
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}

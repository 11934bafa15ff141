package dev.clientauth.examples.cli;

import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.jwt.SigningException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clientauth dpop-proof}: prints a DPoP proof (RFC 9449) for one request, so an operator
 * can call an API with curl and a DPoP token:
 * {@code curl -H "Authorization: DPoP $(cat F)" -H "DPoP: $(clientauth dpop-proof ...)" URL}.
 */
@Command(name = "dpop-proof", mixinStandardHelpOptions = true,
        description = "Print a DPoP proof (RFC 9449) for one request, e.g. to call an API with curl.")
final class DPoPProofCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--htm", required = true, description = "the HTTP method of the request, e.g. GET")
    String htm;
    @Option(names = "--htu", required = true, description = "the URL of the request (query and fragment are left out of the proof)")
    URI htu;
    @Option(names = "--token-file", description = "file holding the DPoP access token the request carries (sets ath)")
    Path tokenFile;
    @Option(names = "--nonce", description = "the server's DPoP-Nonce, when it demands one")
    String nonce;
    @Option(names = "--dpop-key", required = true, description = "the DPoP key the token is bound to: PEM or .p12")
    Path dpopKey;
    @Option(names = "--key-password-env", description = "environment variable holding the password of an encrypted PEM key or a .p12 file")
    String keyPasswordEnv;

    @Option(names = "--verbose", description = "print a stack trace on failure")
    boolean verbose;

    @Override
    public Integer call() throws SigningException {
        String token = null;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new ConfigurationException("cannot read token file " + tokenFile + ": " + e.getClass().getSimpleName());
            }
            if (token.isEmpty()) {
                throw new ConfigurationException("token file " + tokenFile + " is empty");
            }
        }
        DPoPKey key = CliKeys.dpopKey(dpopKey, keyPasswordEnv);
        String proof;
        try {
            proof = key.proof(htm, htu, nonce, token);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        spec.commandLine().getOut().println(proof);
        return ClientAuthCli.OK;
    }
}

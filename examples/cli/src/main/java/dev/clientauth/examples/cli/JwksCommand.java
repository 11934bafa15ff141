package dev.clientauth.examples.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clientauth jwks}: prints the public JWKS for private keys (PEM or PKCS#12). */
@Command(name = "jwks", mixinStandardHelpOptions = true,
        description = "Print the public JWKS (RFC 7517) of one or more private keys; kid = RFC 7638 thumbprint.")
final class JwksCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, arity = "1..*", description = "PEM private key or .p12 file")
    List<Path> keys = new ArrayList<>();

    @Option(names = "--key-password-env", description = "environment variable with the password of encrypted keys")
    String keyPasswordEnv;

    @Option(names = "--verbose", description = "print a stack trace on failure")
    boolean verbose;

    @Override
    public Integer call() {
        List<JWK> jwks = new ArrayList<>();
        for (Path key : keys) {
            JcaSigner signer;
            try {
                signer = CliKeys.signerBuilder(key, keyPasswordEnv).build();
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(key + ": " + e.getMessage());
            }
            jwks.add(Jwks.publicJwk(signer.publicKey().orElseThrow(), signer.keyId().orElseThrow(), signer.algorithm(), null));
        }
        spec.commandLine().getOut().println(new JWKSet(jwks).toString(true));
        return ClientAuthCli.OK;
    }
}

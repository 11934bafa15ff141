package dev.clientauth.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token and keys commands against a token endpoint on loopback, without the demo's servers,
 * so they also run in the FIPS lane (with the provider that lane pins).
 */
class CliCommandsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ClientAuthCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void token_privateKeyJwt_everyKeyType_assertionSignedAndSent() throws Exception {
        List<String> assertions = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/token", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : form.split("&")) {
                if (pair.startsWith("client_assertion=")) {
                    assertions.add(URLDecoder.decode(pair.substring(17), StandardCharsets.UTF_8));
                }
            }
            byte[] body = "{\"access_token\":\"cli-token\",\"token_type\":\"Bearer\",\"expires_in\":60}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
            for (KeyAlgorithm algorithm : new KeyAlgorithm[] {KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519}) {
                KeyPair pair = algorithm.generate();
                Path key = Pem.writeFile(dir.resolve(algorithm + ".pem"), Pem.pkcs8(pair.getPrivate()));
                Run run = run("token", "--token-endpoint", endpoint, "--client-id", "cli-client", "--auth", "private_key_jwt",
                        "--audience", "token-endpoint", "--key", key.toString(), "--output", "token");
                assertEquals(0, run.exit(), run.err());
                assertEquals("cli-token", run.out().strip());
                SignedJWT jwt = SignedJWT.parse(assertions.get(assertions.size() - 1));
                assertEquals("cli-client", jwt.getJWTClaimsSet().getSubject());
                assertTrue(jwt.getHeader().getKeyID() != null && !jwt.getHeader().getKeyID().isEmpty(), "kid is set");
            }
            assertEquals(3, assertions.size());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void keys_initRotateJwksStatus() throws Exception {
        Path keys = dir.resolve("keys");
        Path password = Files.writeString(dir.resolve("password"), "key-set-password");
        Run init = run("keys", "init", "--dir", keys.toString(), "--password-file", password.toString());
        assertEquals(0, init.exit(), init.err());
        String first = init.out().strip().substring(init.out().strip().lastIndexOf(' ') + 1);
        Run rotate = run("keys", "rotate", "--compromised", "--dir", keys.toString(), "--password-file", password.toString());
        assertEquals(0, rotate.exit(), rotate.err());
        assertTrue(rotate.out().startsWith("withdrew " + first), rotate.out());
        Run jwks = run("keys", "jwks", "--dir", keys.toString(), "--password-file", password.toString());
        assertEquals(0, jwks.exit(), jwks.err());
        assertFalse(jwks.out().contains(first), "the withdrawn key is not published");
        assertFalse(jwks.out().contains("\"d\""), "public members only");
        Run status = run("keys", "status", "--dir", keys.toString(), "--password-file", password.toString());
        assertTrue(status.out().contains("ACTIVE") && status.out().contains("NEXT"), status.out());
    }
}

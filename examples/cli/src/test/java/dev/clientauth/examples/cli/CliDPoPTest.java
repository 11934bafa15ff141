package dev.clientauth.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pem;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.dpop.DPoPProofVerifier;
import dev.clientauth.dpop.InvalidDPoPProofException;
import dev.clientauth.jwt.JcaSigner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code token --dpop} and {@code dpop-proof}: the operator's way to call an API with a DPoP token. */
class CliDPoPTest {
    @TempDir
    Path dir;

    @Test
    void tokenWithDPoPKey_thenAProofForCurl_verifiedLikeAResourceServerWould() throws Exception {
        KeyPair pair = KeyAlgorithm.EC_P256.generate();
        Path key = Pem.writeFile(dir.resolve("dpop.pem"), Pem.pkcs8(pair.getPrivate()));
        String jkt = DPoPKey.of(JcaSigner.of(pair)).thumbprint();
        List<String> proofs = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/token", exchange -> {
            proofs.add(String.valueOf(exchange.getRequestHeaders().getFirst("DPoP")));
            byte[] body = "{\"access_token\":\"cli-dpop-token\",\"token_type\":\"DPoP\",\"expires_in\":60}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
            Files.writeString(dir.resolve("secret"), "cli-secret");
            CliCommandsTest.Run run = CliCommandsTest.run("token", "--token-endpoint", endpoint.toString(), "--client-id", "c",
                    "--auth", "client_secret_basic", "--secret-file", dir.resolve("secret").toString(),
                    "--dpop-key", key.toString());
            assertEquals(0, run.exit(), run.err());
            Map<String, Object> json = JSONObjectUtils.parse(run.out());
            assertEquals("DPoP", json.get("token_type"));
            assertEquals(jkt, json.get("jkt"));
            DPoPProofVerifier.VerifiedProof atTokenEndpoint = DPoPProofVerifier.builder().build()
                    .verify("POST", endpoint, proofs, null, null);
            assertEquals(jkt, atTokenEndpoint.thumbprint());
        } finally {
            server.stop(0);
        }

        Path tokenFile = Files.writeString(dir.resolve("token"), "cli-dpop-token\n");
        CliCommandsTest.Run proof = CliCommandsTest.run("dpop-proof", "--htm", "GET", "--htu", "https://api.example/x?page=1",
                "--token-file", tokenFile.toString(), "--dpop-key", key.toString());
        assertEquals(0, proof.exit(), proof.err());
        DPoPProofVerifier verifier = DPoPProofVerifier.builder().build();
        assertEquals(jkt, verifier.verify("GET", URI.create("https://api.example/x?page=1"), List.of(proof.out().strip()),
                "cli-dpop-token", jkt).thumbprint());
        InvalidDPoPProofException wrongMethod = org.junit.jupiter.api.Assertions.assertThrows(InvalidDPoPProofException.class,
                () -> DPoPProofVerifier.builder().build().verify("POST", URI.create("https://api.example/x"),
                        List.of(proof.out().strip()), "cli-dpop-token", jkt));
        assertTrue(wrongMethod.getMessage().contains("htm"), wrongMethod.getMessage());
    }

    @Test
    void tokenWithDPoP_serverAnswersBearer_typedErrorExit() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/token", exchange -> {
            byte[] body = "{\"access_token\":\"plain-bearer-token\",\"token_type\":\"Bearer\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Files.writeString(dir.resolve("secret"), "cli-secret");
            CliCommandsTest.Run run = CliCommandsTest.run("token", "--token-endpoint",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/token", "--client-id", "c",
                    "--auth", "client_secret_basic", "--secret-file", dir.resolve("secret").toString(), "--dpop");
            assertEquals(ClientAuthCli.MALFORMED, run.exit(), run.err());
            assertTrue(run.err().contains("does not support DPoP"), run.err());
            assertFalse(run.err().contains("plain-bearer-token") || run.out().contains("plain-bearer-token"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void dpopProof_badInput_usageErrors() throws Exception {
        CliCommandsTest.Run missingKey = CliCommandsTest.run("dpop-proof", "--htm", "GET", "--htu", "https://api.example/x",
                "--dpop-key", dir.resolve("absent.pem").toString());
        assertEquals(ClientAuthCli.USAGE, missingKey.exit(), missingKey.err());
        KeyPair pair = KeyAlgorithm.EC_P256.generate();
        Path key = Pem.writeFile(dir.resolve("k.pem"), Pem.pkcs8(pair.getPrivate()));
        CliCommandsTest.Run notHttp = CliCommandsTest.run("dpop-proof", "--htm", "GET", "--htu", "ftp://api.example/x",
                "--dpop-key", key.toString());
        assertEquals(ClientAuthCli.USAGE, notHttp.exit(), notHttp.err());
        CliCommandsTest.Run badNonce = CliCommandsTest.run("dpop-proof", "--htm", "GET", "--htu", "https://api.example/x",
                "--nonce", "two words", "--dpop-key", key.toString());
        assertEquals(ClientAuthCli.USAGE, badNonce.exit(), badNonce.err());
    }
}

package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code clientauth token --auth private_key_jwt} with the key in a SoftHSM2 token, run as a
 * separate process (the PIN comes from an environment variable), against a loopback token
 * endpoint that verifies the assertion.
 */
class CliHsmTest {
    @Test
    void privateKeyJwt_pkcs11Key_signedInsideToken() throws Exception {
        SoftHsmToken token = SoftHsmToken.shared();
        SoftHsmToken.HsmKey key = token.generateEcP256("cli-hsm");
        List<String> verified = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
        ClientAssertionVerifier verifier = ClientAssertionVerifier.builder(URI.create("https://as.example"),
                (client, kid) -> Optional.of(key.certificate().getPublicKey())).lenientAudience(endpoint).build();
        server.createContext("/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String assertion = null;
            for (String pair : body.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].equals("client_assertion")) {
                    assertion = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
                }
            }
            int status;
            String json;
            try {
                verified.add(verifier.verify(assertion, "hsm-cli-client").clientId());
                status = 200;
                json = "{\"access_token\":\"hsm-token\",\"token_type\":\"Bearer\",\"expires_in\":60}";
            } catch (Exception e) {
                status = 401;
                json = "{\"error\":\"invalid_client\",\"error_description\":\"" + e.getMessage().replace('"', '\'') + "\"}";
            }
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.clientauth.examples.cli.ClientAuthCli",
                    "token", "--token-endpoint", endpoint.toString(), "--client-id", "hsm-cli-client",
                    "--auth", "private_key_jwt", "--audience", "token-endpoint",
                    "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-alias", key.alias(),
                    "--pkcs11-pin-env", "HSM_PIN", "--output", "token"));
            ProcessBuilder builder = new ProcessBuilder(command);
            Map<String, String> env = builder.environment();
            env.put("HSM_PIN", SoftHsmToken.PIN);
            env.put("SOFTHSM2_CONF", System.getenv("SOFTHSM2_CONF"));
            Process process = builder.start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), err);
            assertEquals("hsm-token", out.strip());
            assertEquals(List.of("hsm-cli-client"), verified);
            assertFalse(err.contains(SoftHsmToken.PIN));

            env.put("HSM_PIN", "000000");
            Process wrongPin = builder.start();
            assertTrue(wrongPin.waitFor(60, TimeUnit.SECONDS));
            String wrongErr = new String(wrongPin.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, wrongPin.exitValue(), wrongErr);
            assertTrue(wrongErr.contains("wrong PIN"), wrongErr);
        } finally {
            server.stop(0);
        }
    }
}

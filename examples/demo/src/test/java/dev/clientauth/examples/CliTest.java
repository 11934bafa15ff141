package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pem;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.examples.cli.ClientAuthCli;
import dev.clientauth.examples.demo.DemoMaterial;
import dev.clientauth.examples.demo.DemoServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract: commands, output and exit codes, against the in-process demo servers. */
class CliTest {
    private static DemoServers servers;
    private static DemoMaterial material;
    @TempDir
    static Path dir;

    /** What one run of the tool printed and returned. */
    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void files() throws Exception {
        servers = SharedServers.get();
        material = servers.material();
        Pem.writeFile(dir.resolve("ca.pem"), Pem.certificates(material.pki().root().certificate()));
        Pem.writeFile(dir.resolve("client.pem"), Pem.certificates(material.clientCertificate().chain()));
        Pem.writeFile(dir.resolve("client-key.pem"), Pem.traditional(material.clientCertificate().privateKey()));
        Pem.writeFile(dir.resolve("self.pem"), Pem.certificates(material.selfSigned().chain()));
        Pem.writeFile(dir.resolve("self-key.pem"), Pem.pkcs8(material.selfSigned().privateKey()));
        Pem.writeFile(dir.resolve("assertion-key.pem"), Pem.pkcs8(material.assertionKey().getPrivate()));
        Files.writeString(dir.resolve("basic.secret"), material.basicSecret().reveal() + "\n");
        Files.writeString(dir.resolve("post.secret"), material.postSecret().reveal());
        Files.writeString(dir.resolve("jwt.secret"), material.jwtSecret().reveal());
        Files.writeString(dir.resolve("wrong.secret"), "definitely-not-the-secret-0123456789");
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ClientAuthCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String[] token(String clientId, String auth, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("token", "--issuer", servers.issuer().toString(),
                "--client-id", clientId, "--auth", auth, "--trust", dir.resolve("ca.pem").toString(), "--scope", "accounts"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    private static Map<String, Object> json(Run run) throws Exception {
        assertEquals(0, run.exit(), run.err());
        return JSONObjectUtils.parse(run.out().strip());
    }

    @Test
    void token_clientSecretBasic_printsJsonWithoutLeakingSecret() throws Exception {
        Run run = run(token(DemoMaterial.BASIC, "client_secret_basic", "--secret-file", dir.resolve("basic.secret").toString()));
        Map<String, Object> response = json(run);
        assertEquals("Bearer", response.get("token_type"));
        assertEquals("accounts", response.get("scope"));
        assertTrue(((String) response.get("access_token")).length() > 20);
        assertFalse(run.out().contains(material.basicSecret().reveal()));
    }

    @Test
    void token_clientSecretPost_outputTokenOnly() {
        Run run = run(token(DemoMaterial.POST, "client_secret_post", "--secret-file", dir.resolve("post.secret").toString(),
                "--output", "token"));
        assertEquals(0, run.exit(), run.err());
        assertEquals(3, run.out().strip().split("\\.").length, "a JWT access token alone");
    }

    @Test
    void token_clientSecretJwt() throws Exception {
        assertEquals("Bearer", json(run(token(DemoMaterial.SECRET_JWT, "client_secret_jwt",
                "--secret-file", dir.resolve("jwt.secret").toString()))).get("token_type"));
    }

    @Test
    void token_privateKeyJwt_pemKey() throws Exception {
        Map<String, Object> response = json(run(token(DemoMaterial.PRIVATE_KEY_JWT, "private_key_jwt",
                "--key", dir.resolve("assertion-key.pem").toString())));
        assertEquals(DemoMaterial.PRIVATE_KEY_JWT, SignedJWT.parse((String) response.get("access_token")).getJWTClaimsSet().getSubject());
    }

    @Test
    void token_tlsClientAuth_requireBoundToken() throws Exception {
        Map<String, Object> response = json(run(token(DemoMaterial.TLS, "tls_client_auth", "--cert",
                dir.resolve("client.pem").toString(), "--cert-key", dir.resolve("client-key.pem").toString(),
                "--require-bound-token")));
        assertEquals(CertificateThumbprint.of(material.clientCertificate().certificate()).value(), response.get("x5t#S256"));
    }

    @Test
    void token_selfSignedTlsClientAuth() throws Exception {
        Map<String, Object> response = json(run(token(DemoMaterial.SELF_SIGNED, "self_signed_tls_client_auth", "--cert",
                dir.resolve("self.pem").toString(), "--cert-key", dir.resolve("self-key.pem").toString())));
        assertEquals(CertificateThumbprint.of(material.selfSigned().certificate()).value(), response.get("x5t#S256"));
    }

    @Test
    void token_wrongSecret_exit3WithErrorLines() {
        Run run = run(token(DemoMaterial.BASIC, "client_secret_basic", "--secret-file", dir.resolve("wrong.secret").toString()));
        assertEquals(3, run.exit());
        assertTrue(run.err().startsWith("error: invalid_client (HTTP 401)"), run.err());
        assertFalse(run.err().contains("definitely-not-the-secret"));
        assertTrue(run.err().strip().lines().count() <= 2, run.err());
    }

    @Test
    void token_usageErrors_exit2() {
        assertEquals(2, run("token", "--nope").exit());
        assertEquals(2, run(token(DemoMaterial.BASIC, "client_secret_basic")).exit(), "no secret given");
        assertEquals(2, run(token(DemoMaterial.BASIC, "client_secret_basic", "--secret-file", "/no/such/file")).exit());
        assertEquals(2, run(token(DemoMaterial.BASIC, "magic_auth", "--secret-file", dir.resolve("basic.secret").toString())).exit());
        Run badKey = run(token(DemoMaterial.PRIVATE_KEY_JWT, "private_key_jwt", "--key", dir.resolve("ca.pem").toString()));
        assertEquals(2, badKey.exit());
        assertTrue(badKey.err().contains("certificate where a private key is expected"), badKey.err());
        assertEquals(2, run(token(DemoMaterial.TLS, "tls_client_auth", "--cert", dir.resolve("client.pem").toString())).exit());
        assertEquals(2, run("frobnicate").exit());
    }

    @Test
    void token_serverUnreachable_exit4() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Run run = run("token", "--token-endpoint", "https://127.0.0.1:" + port + "/token", "--client-id", "c",
                "--auth", "client_secret_post", "--secret-file", dir.resolve("post.secret").toString());
        assertEquals(4, run.exit(), run.err());
        assertTrue(run.err().startsWith("error: "));
    }

    @Test
    void token_malformedResponse_exit5() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/token", exchange -> {
            byte[] body = "{\"token_type\":\"Bearer\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Run run = run("token", "--token-endpoint", "http://127.0.0.1:" + server.getAddress().getPort() + "/token",
                    "--client-id", "c", "--auth", "client_secret_post", "--secret-file", dir.resolve("post.secret").toString());
            assertEquals(5, run.exit(), run.err());
            assertTrue(run.err().contains("access_token"), run.err());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void thumbprint_printsX5tS256() {
        Run run = run("thumbprint", "--cert", dir.resolve("client.pem").toString());
        assertEquals(0, run.exit());
        assertEquals(CertificateThumbprint.of(material.clientCertificate().certificate()).value(), run.out().strip());
        assertEquals(2, run("thumbprint", "--cert", dir.resolve("client-key.pem").toString()).exit());
    }

    @Test
    void jwks_everyKeyType_publicMembersOnly() throws Exception {
        Path ec = Pem.writeFile(dir.resolve("jwks-ec.pem"), Pem.pkcs8(KeyAlgorithm.EC_P256.generate().getPrivate()));
        Path rsa = Pem.writeFile(dir.resolve("jwks-rsa.pem"), Pem.traditional(KeyAlgorithm.RSA_2048.generate().getPrivate()));
        Path ed = Pem.writeFile(dir.resolve("jwks-ed.pem"), Pem.pkcs8(KeyAlgorithm.ED25519.generate().getPrivate()));
        Run run = run("jwks", "--key", ec.toString(), rsa.toString(), ed.toString());
        assertEquals(0, run.exit(), run.err());
        List<Object> keys = JSONObjectUtils.getJSONArray(JSONObjectUtils.parse(run.out()), "keys");
        assertEquals(3, keys.size());
        for (Object key : keys) {
            Map<?, ?> jwk = (Map<?, ?>) key;
            for (String member : List.of("d", "p", "q", "dp", "dq", "qi", "k", "oth")) {
                assertFalse(jwk.containsKey(member), member + " in " + jwk);
            }
            assertEquals("sig", jwk.get("use"));
            assertTrue(jwk.containsKey("kid") && jwk.containsKey("alg"));
        }
        assertEquals(List.of("ES256", "PS256", "EdDSA"), keys.stream().map(k -> ((Map<?, ?>) k).get("alg")).toList());
    }

    @Test
    void keys_initRotateJwksStatus() throws Exception {
        Path keysDir = dir.resolve("keys");
        Path password = Files.writeString(dir.resolve("keys.password"), "key-set-password");
        Run init = run("keys", "init", "--dir", keysDir.toString(), "--password-file", password.toString(), "--alg", "EdDSA");
        assertEquals(0, init.exit(), init.err());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keysDir)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keysDir.resolve("keyset.json"))));
        String firstActive = init.out().strip().substring(init.out().strip().lastIndexOf(' ') + 1);
        assertEquals(2, run("keys", "init", "--dir", keysDir.toString(), "--password-file", password.toString()).exit(),
                "init twice");
        Run status = run("keys", "status", "--dir", keysDir.toString(), "--password-file", password.toString());
        assertTrue(status.out().contains(firstActive + " ") && status.out().contains("ACTIVE") && status.out().contains("NEXT"),
                status.out());
        Run rotate = run("keys", "rotate", "--dir", keysDir.toString(), "--password-file", password.toString());
        assertEquals(2, rotate.exit(), "the next key was made a moment ago: it has not been published long enough");
        assertTrue(rotate.err().contains("rotate --compromised"), rotate.err());
        Run jwks = run("keys", "jwks", "--dir", keysDir.toString(), "--password-file", password.toString());
        List<Object> keys = JSONObjectUtils.getJSONArray(JSONObjectUtils.parse(jwks.out()), "keys");
        assertEquals(2, keys.size(), "active and next are published, nothing changed");
        assertTrue(jwks.out().contains(firstActive));
        Run compromised = run("keys", "rotate", "--compromised", "--dir", keysDir.toString(), "--password-file", password.toString());
        assertEquals(0, compromised.exit());
        assertFalse(run("keys", "jwks", "--dir", keysDir.toString(), "--password-file", password.toString()).out()
                .contains(compromised.out().split(" ")[1].replace(";", "")), "the compromised key is withdrawn");
        Path wrong = Files.writeString(dir.resolve("wrong.password"), "nope");
        assertEquals(2, run("keys", "status", "--dir", keysDir.toString(), "--password-file", wrong.toString()).exit());
        assertEquals(2, run("keys", "status", "--dir", dir.resolve("none").toString(), "--password-file", password.toString()).exit());
    }

    @Test
    void help_onEveryCommand() {
        for (String command : List.of("token", "thumbprint", "jwks", "keys")) {
            Run run = run(command, "--help");
            assertEquals(0, run.exit());
            assertTrue(run.out().contains("Usage: clientauth " + command), run.out());
        }
    }
}

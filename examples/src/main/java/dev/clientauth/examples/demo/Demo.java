package dev.clientauth.examples.demo;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.X509TrustManager;

/**
 * The embedded demo: a generated PKI, a token endpoint over HTTPS on 127.0.0.1, and a token
 * request with each client secret method.
 */
public final class Demo {
    private Demo() {
    }

    /** Runs the demo, prints a table, and returns whether every row succeeded. */
    public static boolean run(PrintWriter out) throws Exception {
        TestPki pki = TestPki.create();
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(24));
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        ServerTls tls = pki.serverTls(ServerTls.ClientAuth.NONE);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
        server.createContext("/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = new HashMap<>();
            for (String pair : body.split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            String expectedBasic = "Basic " + Base64.getEncoder().encodeToString(("demo-client:" + secret).getBytes(StandardCharsets.UTF_8));
            boolean ok = expectedBasic.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    || ("demo-client".equals(form.get("client_id")) && secret.equals(form.get("client_secret")));
            String json = ok
                    ? "{\"access_token\":\"" + Base64.getUrlEncoder().encodeToString(new SecureRandom().generateSeed(16))
                            + "\",\"token_type\":\"Bearer\",\"expires_in\":300}"
                    : "{\"error\":\"invalid_client\"}";
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(ok ? 200 : 401, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            URI endpoint = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/token");
            X509TrustManager trust = (X509TrustManager) pki.trustManagerFactory().getTrustManagers()[0];
            boolean allOk = true;
            out.printf("%-28s %-8s %-10s%n", "method", "token", "time");
            for (ClientAuthentication auth : List.of(
                    ClientSecretBasic.of(ClientId.of("demo-client"), Secret.of(secret)),
                    ClientSecretPost.of(ClientId.of("demo-client"), Secret.of(secret)))) {
                long start = System.nanoTime();
                String result;
                try {
                    TokenResponse response = TokenClient.builder(endpoint, auth).trustManager(trust).build()
                            .requestToken(TokenRequest.clientCredentials());
                    result = response.accessToken().type() + "";
                } catch (IOException e) {
                    result = "FAILED: " + e.getMessage();
                    allOk = false;
                }
                out.printf("%-28s %-8s %6d ms%n", auth.method(), result, (System.nanoTime() - start) / 1_000_000);
            }
            out.println(allOk ? "demo: all rows succeeded" : "demo: some rows failed");
            return allOk;
        } finally {
            server.stop(0);
        }
    }
}

package dev.clientauth.examples.demo;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.dpop.DPoP;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.mtls.TlsIdentity;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The embedded end-to-end demo: Spring Authorization Server and a resource server on
 * 127.0.0.1; for every client authentication method, a token from this library and an API call
 * over mutual TLS; a secret and a {@code private_key_jwt} client with DPoP (both servers demanding
 * nonces) calling a Spring Security DPoP resource server; then two rejections (a certificate-bound
 * token presented with another certificate, a DPoP token with another key's proof). Prints a table and returns whether every row went as expected.
 */
public final class Demo {
    private Demo() {
    }

    /** {@code java -jar clientauth-demo.jar}: runs the demo and exits 0 when every row went as expected. */
    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        boolean ok = run(out);
        out.flush();
        System.exit(ok ? 0 : 1);
    }

    public static boolean run(PrintWriter out) throws Exception {
        long started = System.nanoTime();
        out.println("Starting Spring Authorization Server and a resource server on 127.0.0.1 ...");
        out.flush();
        try (DemoServers servers = DemoServers.start()) {
            DemoMaterial material = servers.material();
            JdkHttpTransport discoveryTransport = JdkHttpTransport.builder()
                    .tls(ClientTls.builder().trust(servers.trust()).build()).build();
            AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(servers.issuer(), discoveryTransport);
            out.printf("issuer %s, resource server %s%n%n", metadata.issuer(), servers.api());
            out.printf("%-29s %-7s %-49s %-12s %8s%n", "method", "token", "bound to (x5t#S256 or DPoP jkt)", "API call", "time");
            boolean allOk = true;
            TlsIdentity apiIdentity = DemoClients.identity(material);
            for (Map.Entry<String, ClientAuthentication> entry : DemoClients.all(material).entrySet()) {
                long start = System.nanoTime();
                String tokenColumn = "-";
                String bound = "-";
                String api;
                try {
                    ClientAuthentication auth = entry.getValue();
                    TlsClientIdentity identity = auth.tlsIdentity().orElse(apiIdentity);
                    ClientTls tls = ClientTls.builder().identity(identity).trust(servers.trust()).build();
                    try (TokenSource source = TokenSource.forIssuer(servers.issuer(), auth).scope("accounts").tls(tls)
                            .allowUnadvertisedAuthenticationMethod().build()) {
                        AccessToken token = source.token();
                        tokenColumn = "yes";
                        bound = token.boundCertificate().map(Object::toString).orElse("(not bound)");
                        HttpResponse<String> response = BearerHttpClient.of(source)
                                .send(HttpRequest.newBuilder(servers.api()).build(), HttpResponse.BodyHandlers.ofString());
                        api = response.statusCode() == 200 ? "200 OK" : "HTTP " + response.statusCode();
                        allOk &= response.statusCode() == 200;
                    }
                } catch (Exception e) {
                    api = "FAILED: " + e.getMessage();
                    allOk = false;
                }
                out.printf("%-29s %-7s %-49s %-12s %5d ms%n", entry.getKey(), tokenColumn, bound, api,
                        (System.nanoTime() - start) / 1_000_000);
                out.flush();
            }
            allOk &= dpopRows(out, servers);
            allOk &= rejection(out, servers, metadata);
            allOk &= dpopRejection(out, servers);
            out.printf("%nfinished in %.1f s: %s%n", (System.nanoTime() - started) / 1e9,
                    allOk ? "every row succeeded" : "SOME ROWS FAILED");
            return allOk;
        }
    }

    /**
     * DPoP rows: a secret client and a {@code private_key_jwt} client with DPoP, both servers
     * demanding nonces, against the Spring Security resource server with DPoP support.
     */
    private static boolean dpopRows(PrintWriter out, DemoServers servers) throws Exception {
        boolean allOk = true;
        servers.nonces().authorizationServer().demand.set(true);
        servers.nonces().resourceServer().demand.set(true);
        try {
            for (String method : new String[] {"client_secret_basic", "private_key_jwt"}) {
                long start = System.nanoTime();
                String bound = "-";
                String api;
                try (TokenSource source = TokenSource.forIssuer(servers.issuer(), DemoClients.all(servers.material()).get(method))
                        .scope("accounts").tls(ClientTls.builder().trust(servers.trust()).build()).dpop(DPoP.withNewKey())
                        .allowUnadvertisedAuthenticationMethod().build()) {
                    AccessToken token = source.token();
                    bound = "jkt=" + token.boundKey().orElse("(not bound)");
                    HttpResponse<String> response = BearerHttpClient.of(source)
                            .send(HttpRequest.newBuilder(servers.dpopApi()).build(), HttpResponse.BodyHandlers.ofString());
                    api = response.statusCode() == 200 ? "200 OK" : "HTTP " + response.statusCode();
                    allOk &= response.statusCode() == 200 && token.type().equals(TokenType.DPOP);
                } catch (Exception e) {
                    api = "FAILED: " + e.getMessage();
                    allOk = false;
                }
                out.printf("%-29s %-7s %-49s %-12s %5d ms%n", method + " + DPoP", "yes", bound, api,
                        (System.nanoTime() - start) / 1_000_000);
                out.flush();
            }
        } finally {
            servers.nonces().authorizationServer().demand.set(false);
            servers.nonces().resourceServer().demand.set(false);
        }
        return allOk;
    }

    /** A DPoP-bound token presented with a proof signed by another key (the thief's). */
    private static boolean dpopRejection(PrintWriter out, DemoServers servers) throws Exception {
        try (TokenSource source = TokenSource.forIssuer(servers.issuer(), DemoClients.all(servers.material()).get("client_secret_basic"))
                .scope("accounts").tls(ClientTls.builder().trust(servers.trust()).build()).dpop(DPoP.withNewKey())
                .allowUnadvertisedAuthenticationMethod().build()) {
            AccessToken token = source.token();
            DPoPKey thief = DPoPKey.generate();
            java.net.http.HttpClient stolen = java.net.http.HttpClient.newBuilder()
                    .sslContext(ClientTls.builder().trust(servers.trust()).build().sslContext()).build();
            HttpResponse<String> response = stolen.send(HttpRequest.newBuilder(servers.dpopApi())
                    .header("Authorization", token.authorizationHeaderValue())
                    .header("DPoP", thief.proof("GET", servers.dpopApi(), null, token.value())).build(),
                    HttpResponse.BodyHandlers.ofString());
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            out.printf("rejection: DPoP token bound to jkt=%s presented with a proof of jkt=%s -> HTTP %d %s%n",
                    token.boundKey().orElseThrow(), thief.thumbprint(), response.statusCode(),
                    challenge.length() > 80 ? challenge.substring(0, 80) + "..." : challenge);
            return response.statusCode() == 401;
        }
    }

    /** A token bound to the tls_client_auth certificate, presented over a connection with another certificate. */
    private static boolean rejection(PrintWriter out, DemoServers servers, AuthorizationServerMetadata metadata) throws Exception {
        DemoMaterial material = servers.material();
        ClientAuthentication auth = DemoClients.all(material).get("tls_client_auth");
        TokenClient client = TokenClient.builder(metadata, auth)
                .tls(ClientTls.builder().trust(servers.trust()).build())
                .allowUnadvertisedAuthenticationMethod().build();
        AccessToken token = client.requestToken(TokenRequest.builder().scope("accounts").build()).accessToken();
        TlsIdentity other = TlsIdentity.of(material.otherClientCertificate().privateKey(),
                material.otherClientCertificate().chain()).build();
        java.net.http.HttpClient stolen = java.net.http.HttpClient.newBuilder()
                .sslContext(ClientTls.builder().identity(other).trust(servers.trust()).build().sslContext()).build();
        HttpResponse<String> response = stolen.send(HttpRequest.newBuilder(servers.api())
                .header("Authorization", token.authorizationHeaderValue()).build(), HttpResponse.BodyHandlers.ofString());
        boolean rejected = response.statusCode() == 401;
        out.printf("%nrejection: token bound to %s presented with certificate %s -> HTTP %d %s%n",
                token.boundCertificate().orElseThrow(), other.thumbprint(), response.statusCode(),
                response.headers().firstValue("WWW-Authenticate").orElse(""));
        return rejected;
    }
}

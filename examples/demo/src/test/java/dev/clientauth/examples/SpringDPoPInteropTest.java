package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.dpop.DPoP;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.examples.demo.DemoClients;
import dev.clientauth.examples.demo.DemoServers;
import dev.clientauth.httpclient5.BearerTokenAsyncExecHandler;
import dev.clientauth.httpclient5.BearerTokenExecHandler;
import dev.clientauth.okhttp.OkHttpBearer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DPoP against Spring Authorization Server (it verifies proofs at the token endpoint and issues
 * {@code cnf.jkt}) and a Spring Security resource server with its DPoP support, both in-process
 * over HTTPS on 127.0.0.1.
 */
class SpringDPoPInteropTest {
    private static DemoServers servers;

    @BeforeAll
    static void start() throws Exception {
        servers = SharedServers.get();
    }

    @AfterEach
    void noNonces() {
        servers.nonces().authorizationServer().demand.set(false);
        servers.nonces().resourceServer().demand.set(false);
    }

    static Stream<String> methods() {
        return SpringAuthorizationServerInteropTest.methods();
    }

    private static TokenSource source(String method, DPoP dpop) throws Exception {
        ClientAuthentication auth = DemoClients.all(servers.material()).get(method);
        TlsClientIdentity identity = auth.tlsIdentity().orElse(null);
        ClientTls.Builder tls = ClientTls.builder().trust(servers.trust());
        if (identity != null) {
            tls.identity(identity);
        }
        return TokenSource.forIssuer(servers.issuer(), auth).scope("accounts").tls(tls.build()).dpop(dpop)
                .allowUnadvertisedAuthenticationMethod().build();
    }

    private static HttpResponse<String> get(TokenSource source, URI uri) throws Exception {
        return BearerHttpClient.of(source).send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void discovery_listsDPoPAlgorithms_includingTheDefaultKeys() throws Exception {
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(servers.issuer(),
                JdkHttpTransport.builder().tls(ClientTls.builder().trust(servers.trust()).build()).build());
        List<String> algorithms = metadata.dpopSigningAlgValuesSupported().orElseThrow();
        assertTrue(algorithms.contains("ES256") && algorithms.contains("PS256"), algorithms.toString());
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethod_dpopBoundToken_acceptedBySpringResourceServer(String method) throws Exception {
        DPoP dpop = DPoP.withNewKey();
        try (TokenSource source = source(method, dpop)) {
            AccessToken token = source.token();
            assertEquals(TokenType.DPOP, token.type());
            assertEquals(dpop.thumbprint(), token.boundKey().orElseThrow());
            Map<?, ?> cnf = (Map<?, ?>) SignedJWT.parse(token.value()).getJWTClaimsSet().getClaim("cnf");
            assertEquals(dpop.thumbprint(), cnf.get("jkt"));
            if (method.contains("tls_client_auth")) {
                assertEquals(source.tls().identity().orElseThrow().thumbprint().value(), cnf.get("x5t#S256"),
                        "mutual TLS and DPoP together: the token is bound to both");
            }
            HttpResponse<String> response = get(source, servers.dpopApi());
            assertEquals(200, response.statusCode(), () -> response.headers().map() + " " + response.body());
            assertTrue(response.body().contains(dpop.thumbprint()), response.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "apache", "apache-async", "okhttp"})
    void everyAdapter_callsTheSpringDPoPResourceServer(String adapter) throws Exception {
        try (TokenSource source = source("private_key_jwt", DPoP.withNewKey())) {
            URI api = servers.dpopApi();
            int status = switch (adapter) {
                case "jdk" -> get(source, api).statusCode();
                case "apache" -> {
                    try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
                        yield client.execute(new HttpGet(api), r -> r.getCode());
                    }
                }
                case "apache-async" -> {
                    try (CloseableHttpAsyncClient client = BearerTokenAsyncExecHandler.of(source)) {
                        yield client.execute(SimpleRequestBuilder.get(api).build(), null).get(10, TimeUnit.SECONDS).getCode();
                    }
                }
                default -> {
                    try (Response response = OkHttpBearer.of(source).newCall(new Request.Builder().url(api.toString()).build())
                            .execute()) {
                        yield response.code();
                    }
                }
            };
            assertEquals(200, status);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"client_secret_basic", "private_key_jwt", "tls_client_auth"})
    void bothServersDemandNonces_oneRetryEach_thenEverythingWorks(String method) throws Exception {
        servers.nonces().authorizationServer().demand.set(true);
        servers.nonces().resourceServer().demand.set(true);
        DPoP dpop = DPoP.withNewKey();
        try (TokenSource source = source(method, dpop)) {
            assertEquals(dpop.thumbprint(), source.token().boundKey().orElseThrow());
            HttpResponse<String> response = get(source, servers.dpopApi());
            assertEquals(200, response.statusCode(), () -> response.headers().map() + " " + response.body());
            String asNonce = dpop.nonces().nonceFor(servers.issuer()).orElseThrow();
            String rsNonce = dpop.nonces().nonceFor(servers.dpopApi()).orElseThrow();
            assertEquals(servers.nonces().authorizationServer().nonces().current(), asNonce);
            assertEquals(servers.nonces().resourceServer().nonces().current(), rsNonce);
            assertNotEquals(asNonce, rsNonce, "each origin has its own nonce");
            assertEquals(200, get(source, servers.dpopApi()).statusCode(), "the remembered nonce is used without a retry");
        }
    }

    @Test
    void stolenToken_replayedWithoutTheKey_refused() throws Exception {
        DPoP dpop = DPoP.withNewKey();
        try (TokenSource source = source("client_secret_basic", dpop)) {
            AccessToken stolen = source.token();
            assertEquals(200, get(source, servers.dpopApi()).statusCode());
            HttpClient attacker = HttpClient.newBuilder()
                    .sslContext(ClientTls.builder().trust(servers.trust()).build().sslContext()).build();
            URI api = servers.dpopApi();
            // with a proof signed by the attacker's own key: cnf.jkt does not match
            DPoPKey attackerKey = DPoPKey.generate();
            HttpResponse<String> ownKey = attacker.send(HttpRequest.newBuilder(api)
                    .header("Authorization", "DPoP " + stolen.value())
                    .header("DPoP", attackerKey.proof("GET", api, null, stolen.value())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, ownKey.statusCode());
            // with no proof at all
            HttpResponse<String> noProof = attacker.send(HttpRequest.newBuilder(api)
                    .header("Authorization", "DPoP " + stolen.value()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noProof.statusCode());
            // as a bearer token
            HttpResponse<String> asBearer = attacker.send(HttpRequest.newBuilder(api)
                    .header("Authorization", "Bearer " + stolen.value()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, asBearer.statusCode());
        }
    }

    @Test
    void replayedProof_refused() throws Exception {
        DPoP dpop = DPoP.withNewKey();
        try (TokenSource source = source("client_secret_post", dpop)) {
            AccessToken token = source.token();
            URI api = servers.dpopApi();
            String proof = dpop.proof("GET", api, token).value();
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(ClientTls.builder().trust(servers.trust()).build().sslContext()).build();
            HttpRequest request = HttpRequest.newBuilder(api).header("Authorization", "DPoP " + token.value())
                    .header("DPoP", proof).build();
            assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> replay = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(401, replay.statusCode());
            assertTrue(replay.headers().firstValue("WWW-Authenticate").orElse("").startsWith("DPoP"),
                    replay.headers().map().toString());
        }
    }
}

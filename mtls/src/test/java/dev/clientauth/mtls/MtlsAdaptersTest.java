package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenSource;
import dev.clientauth.httpclient5.ApacheHttpTransport;
import dev.clientauth.httpclient5.BearerTokenExecHandler;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.okhttp.OkHttpBearer;
import dev.clientauth.okhttp.OkHttpTransport;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP client adapters over mutual TLS: a token endpoint that binds every token to the presented
 * certificate and an API that checks the binding, both on one MockWebServer requiring client
 * certificates.
 */
class MtlsAdaptersTest {
    private static final TestPki PKI = TestPki.create();
    private MtlsServer server;
    private final Set<Integer> tokenConnections = ConcurrentHashMap.newKeySet();
    private final Set<Integer> apiConnections = ConcurrentHashMap.newKeySet();
    private final List<String> apiResults = new CopyOnWriteArrayList<>();
    private final Map<String, String> boundTo = new ConcurrentHashMap<>();
    private int issued;

    @BeforeEach
    void start() throws Exception {
        server = new MtlsServer(PKI);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                X509Certificate presented = (X509Certificate) request.getHandshake().peerCertificates().get(0);
                String thumbprint = CertificateThumbprint.of(presented).value();
                if (request.getTarget().equals("/token")) {
                    tokenConnections.add(request.getConnectionIndex());
                    String token;
                    synchronized (MtlsAdaptersTest.this) {
                        token = "bound-" + ++issued;
                    }
                    boundTo.put(token, thumbprint);
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                                    + "\"cnf\":{\"x5t#S256\":\"" + thumbprint + "\"}}").build();
                }
                apiConnections.add(request.getConnectionIndex());
                String authorization = request.getHeaders().get("Authorization");
                String token = authorization == null ? "" : authorization.substring("Bearer ".length());
                BindingResult result = CertificateBoundTokens.verifyJwtClaims(
                        boundTo.containsKey(token) ? Map.of("cnf", Map.of("x5t#S256", boundTo.get(token))) : Map.of(), presented);
                apiResults.add(result.isValid() ? "valid" : result.reason().orElseThrow().name());
                return result.isValid() ? new MockResponse.Builder().code(200).body("ok").build()
                        : new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", result.wwwAuthenticate().orElseThrow())
                                .build();
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static TlsIdentity identity(IssuedCertificate certificate) throws InvalidIdentityException {
        return TlsIdentity.of(certificate.privateKey(), certificate.chain()).build();
    }

    private TokenClient tokenClient(TlsIdentity identity, HttpTransport transport) {
        return TokenClient.builder(server.uri("/token"), TlsClientAuth.pki(ClientId.of("c"), identity)).transport(transport).build();
    }

    @Test
    void jdkTransport_thousandTokenRequests_oneConnection() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        TokenClient client = tokenClient(identity, JdkHttpTransport.builder().tls(server.tls().withIdentity(identity)).build());
        for (int i = 0; i < 1000; i++) {
            client.requestToken(TokenRequest.clientCredentials());
        }
        assertEquals(1, tokenConnections.size(), "one TLS handshake for 1,000 requests");
    }

    @Test
    void apacheTransport_thousandTokenRequests_pooledConnectionReused() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        try (ApacheHttpTransport transport = ApacheHttpTransport.create(server.tls().withIdentity(identity), Duration.ofSeconds(5),
                Duration.ofSeconds(5))) {
            TokenClient client = tokenClient(identity, transport);
            for (int i = 0; i < 1000; i++) {
                client.requestToken(TokenRequest.clientCredentials());
            }
        }
        assertEquals(1, tokenConnections.size(), "one TLS handshake for 1,000 requests");
    }

    @Test
    void apacheDefaultUserTokenHandling_withClientCertificates_doesNotReuse() throws Exception {
        // The trap ApacheClients avoids: the default handler makes mTLS connections stateful.
        TlsIdentity identity = identity(PKI.clientCertificate());
        try (CloseableHttpClient plain = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
                        .setSslContext(server.tls().withIdentity(identity).sslContext()).buildClassic()).build()).build()) {
            for (int i = 0; i < 5; i++) {
                plain.execute(new HttpGet(server.uri("/api")), response -> response.getCode());
            }
        }
        assertEquals(5, apiConnections.size());
    }

    @Test
    void okHttpTransport_mtlsTokens() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        TokenClient client = tokenClient(identity, OkHttpTransport.create(server.tls().withIdentity(identity), Duration.ofSeconds(5),
                Duration.ofSeconds(5)));
        AccessToken token = client.requestToken(TokenRequest.clientCredentials()).accessToken();
        assertEquals(identity.thumbprint(), token.boundCertificate().orElseThrow());
    }

    @Test
    void certificateReload_nextCallFetchesTokenBoundToNewCertificate_everyAdapterFollows() throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=adapter,O=clientauth test");
        IssuedCertificate second = PKI.newClientCertificate("CN=adapter,O=clientauth test");
        Path dir = Files.createTempDirectory("adapters");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        MtlsTokenRequestTest.write(cert, key, first);
        TlsIdentity identity = TlsIdentity.fromPem(List.of(cert), key, null).build();
        TokenClient client = tokenClient(identity, JdkHttpTransport.builder().tls(server.tls().withIdentity(identity)).build());
        try (TokenSource source = TokenSource.builder(client).build()) {
            BearerHttpClient jdk = BearerHttpClient.of(source);
            OkHttpClient okhttp = OkHttpBearer.of(source);
            CloseableHttpClient apache = BearerTokenExecHandler.of(source);
            Runnable callAll = () -> {
                try {
                    assertEquals(200, jdk.send(HttpRequest.newBuilder(server.uri("/api")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode());
                    try (Response response = okhttp.newCall(new Request.Builder().url(server.uri("/api").toString()).build()).execute()) {
                        assertEquals(200, response.code());
                    }
                    assertEquals(200, (int) apache.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            callAll.run();
            callAll.run();
            AccessToken before = source.token();
            assertEquals(CertificateThumbprint.of(first.certificate()), before.boundCertificate().orElseThrow());
            int connectionsBefore = apiConnections.size();
            assertEquals(3, connectionsBefore, "each adapter keeps one pooled connection");

            MtlsTokenRequestTest.write(cert, key, second);
            identity.reload();
            AccessToken after = source.token();
            assertNotEquals(before.value(), after.value());
            assertEquals(CertificateThumbprint.of(second.certificate()), after.boundCertificate().orElseThrow());
            callAll.run();
            assertEquals(connectionsBefore + 3, apiConnections.size(), "every adapter opened a new connection");
            assertTrue(apiResults.stream().allMatch("valid"::equals), apiResults.toString());
            apache.close();
        }
    }
}

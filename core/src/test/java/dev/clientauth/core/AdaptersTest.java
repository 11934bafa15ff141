package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.apache.ApacheClients;
import dev.clientauth.core.apache.ApacheHttpTransport;
import dev.clientauth.core.apache.BearerTokenExecHandler;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.core.okhttp.OkHttpBearer;
import dev.clientauth.core.okhttp.OkHttpTransport;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three HTTP client adapters against a real HTTPS token endpoint and API on 127.0.0.1. */
class AdaptersTest {
    private static final TestPki PKI = TestPki.create();
    private HttpsMockServer server;
    private final AtomicInteger tokens = new AtomicInteger();
    private final LinkedBlockingQueue<MockResponse> apiScript = new LinkedBlockingQueue<>();
    private final List<String> apiAuthorizations = new CopyOnWriteArrayList<>();
    private TokenSource source;

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/token")) {
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("{\"access_token\":\"tok-" + tokens.incrementAndGet() + "\",\"token_type\":\"Bearer\","
                                    + "\"expires_in\":3600}").build();
                }
                apiAuthorizations.add(request.getHeaders().get("Authorization"));
                MockResponse next = apiScript.poll();
                return next != null ? next : new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .trustManager(server.trustManager()).build();
        source = TokenSource.builder(client).build();
    }

    @AfterEach
    void stop() {
        source.close();
        server.close();
    }

    private static MockResponse invalidToken() {
        return new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"expired\"")
                .body("").build();
    }

    private void assertOneRefreshAndRetry(int status) {
        assertEquals(200, status);
        assertEquals(List.of("Bearer tok-1", "Bearer tok-2"), apiAuthorizations);
        assertEquals(2, tokens.get());
    }

    private void assertSecond401ReturnedToCaller(int status) {
        assertEquals(401, status);
        assertEquals(2, apiAuthorizations.size());
    }

    // --- JDK HttpClient -------------------------------------------------------------------------

    private BearerHttpClient jdk() {
        HttpClient client = HttpClient.newBuilder().sslContext(dev.clientauth.core.http.TlsSessions.clientContext(null,
                server.trustManager())).build();
        return BearerHttpClient.wrap(client, source);
    }

    @Test
    void jdk_bearerAdded_invalidTokenRetriedOnce() throws Exception {
        assertEquals(200, jdk().send(HttpRequest.newBuilder(server.uri("/api")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        assertEquals(List.of("Bearer tok-1"), apiAuthorizations);
        apiAuthorizations.clear();
        source.invalidate(source.token());
        apiScript.add(invalidToken());
        assertEquals(200, jdk().send(HttpRequest.newBuilder(server.uri("/api")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(List.of("Bearer tok-2", "Bearer tok-3"), apiAuthorizations);
    }

    @Test
    void jdk_secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        assertSecond401ReturnedToCaller(jdk().send(HttpRequest.newBuilder(server.uri("/api")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void jdk_streamingBody_notRetried() throws Exception {
        apiScript.add(invalidToken());
        HttpRequest request = HttpRequest.newBuilder(server.uri("/api"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[] {1, 2, 3}))).build();
        assertEquals(401, jdk().send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, apiAuthorizations.size());
    }

    @Test
    void jdk_async_retriedOnce() throws Exception {
        apiScript.add(invalidToken());
        assertOneRefreshAndRetry(jdk().sendAsync(HttpRequest.newBuilder(server.uri("/api")).build(),
                HttpResponse.BodyHandlers.ofString()).get().statusCode());
    }

    @Test
    void jdk_wrapRefusesCertificateBoundSource() {
        TlsClientIdentity identity = new TestIdentity(PKI.clientCertificate());
        TokenClient mtlsClient = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(ClientId.of("c"), Secret.of("s")))
                .transport(dev.clientauth.core.http.JdkHttpTransport.builder().clientIdentity(identity)
                        .trustManager(server.trustManager()).build()).build();
        try (TokenSource bound = TokenSource.builder(mtlsClient).build()) {
            assertThrows(IllegalStateException.class, () -> BearerHttpClient.wrap(HttpClient.newHttpClient(), bound));
        }
    }

    // --- OkHttp ---------------------------------------------------------------------------------

    private OkHttpClient okhttp() {
        javax.net.ssl.SSLContext context = dev.clientauth.core.http.TlsSessions.clientContext(null, server.trustManager());
        return OkHttpBearer.install(new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(),
                server.trustManager()), source, server.trustManager()).build();
    }

    @Test
    void okhttp_bearerAdded_invalidTokenRetriedOnce() throws Exception {
        apiScript.add(invalidToken());
        try (Response response = okhttp().newCall(new Request.Builder().url(server.uri("/api").toString()).build()).execute()) {
            assertOneRefreshAndRetry(response.code());
        }
    }

    @Test
    void okhttp_secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        try (Response response = okhttp().newCall(new Request.Builder().url(server.uri("/api").toString()).build()).execute()) {
            assertSecond401ReturnedToCaller(response.code());
        }
    }

    @Test
    void okhttp_oneShotBody_notRetried() throws Exception {
        apiScript.add(invalidToken());
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public void writeTo(BufferedSink sink) throws java.io.IOException {
                sink.write(new byte[] {1, 2, 3});
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
        try (Response response = okhttp().newCall(new Request.Builder().url(server.uri("/api").toString()).post(oneShot)
                .build()).execute()) {
            assertEquals(401, response.code());
            assertEquals(1, apiAuthorizations.size());
        }
    }

    @Test
    void okhttpTransport_obtainsTokens() throws Exception {
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .transport(OkHttpTransport.create(null, server.trustManager(), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .build();
        assertEquals("tok-1", client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
    }

    // --- Apache HttpClient 5 --------------------------------------------------------------------

    private CloseableHttpClient apache() {
        return BearerTokenExecHandler.install(ApacheClients.builder(null, server.trustManager(), Duration.ofSeconds(5),
                Duration.ofSeconds(5)), source).build();
    }

    @Test
    void apache_bearerAdded_invalidTokenRetriedOnce() throws Exception {
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = apache()) {
            assertOneRefreshAndRetry(client.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
        }
    }

    @Test
    void apache_secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = apache()) {
            assertSecond401ReturnedToCaller(client.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
        }
    }

    @Test
    void apache_streamingEntity_notRetried_repeatableEntityRetried() throws Exception {
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = apache()) {
            HttpPost streaming = new HttpPost(server.uri("/api"));
            streaming.setEntity(new InputStreamEntity(new ByteArrayInputStream(new byte[] {1, 2}), 2, ContentType.DEFAULT_BINARY));
            assertEquals(401, (int) client.execute(streaming, r -> r.getCode()));
            assertEquals(1, apiAuthorizations.size());
            apiScript.add(invalidToken());
            HttpPost repeatable = new HttpPost(server.uri("/api"));
            repeatable.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
            assertEquals(200, (int) client.execute(repeatable, r -> r.getCode()));
            assertEquals(3, apiAuthorizations.size());
        }
    }

    private org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient apacheAsync() {
        org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder builder = org.apache.hc.client5.http.impl.async.HttpAsyncClients
                .custom().setConnectionManager(org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder.create()
                                .setSslContext(dev.clientauth.core.http.TlsSessions.clientContext(null, server.trustManager()))
                                .buildAsync()).build());
        org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client =
                dev.clientauth.core.apache.BearerTokenAsyncExecHandler.install(builder, source).build();
        client.start();
        return client;
    }

    private int asyncCall(org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client,
            org.apache.hc.client5.http.async.methods.SimpleHttpRequest request) throws Exception {
        return client.execute(request, null).get(10, java.util.concurrent.TimeUnit.SECONDS).getCode();
    }

    @Test
    void apacheAsync_bearerAdded_invalidTokenRetriedOnce_secondReturned() throws Exception {
        apiScript.add(invalidToken());
        try (org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client = apacheAsync()) {
            assertOneRefreshAndRetry(asyncCall(client,
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.get(server.uri("/api")).build()));
            apiAuthorizations.clear();
            apiScript.add(invalidToken());
            apiScript.add(invalidToken());
            assertEquals(401, asyncCall(client,
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.get(server.uri("/api")).build()));
            assertEquals(List.of("Bearer tok-2", "Bearer tok-3"), apiAuthorizations);
            apiAuthorizations.clear();
            apiScript.add(invalidToken());
            assertEquals(200, asyncCall(client, org.apache.hc.client5.http.async.methods.SimpleRequestBuilder
                    .post(server.uri("/api")).setBody("{}", ContentType.APPLICATION_JSON).build()));
            assertEquals(2, apiAuthorizations.size(), "a repeatable body is sent again");
        }
    }

    @Test
    void apacheTransport_obtainsTokens() throws Exception {
        try (ApacheHttpTransport transport = ApacheHttpTransport.create(null, server.trustManager(), Duration.ofSeconds(5),
                Duration.ofSeconds(5))) {
            TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                    .transport(transport).build();
            assertEquals("tok-1", client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
        }
    }

    @Test
    void bearerChallenge_parsing() {
        assertTrue(dev.clientauth.core.http.BearerChallenge.isInvalidToken(List.of("Bearer error=\"invalid_token\"")));
        assertTrue(dev.clientauth.core.http.BearerChallenge.isInvalidToken(List.of("Basic realm=x", "bearer realm=\"a\",error=invalid_token")));
        assertEquals(false, dev.clientauth.core.http.BearerChallenge.isInvalidToken(List.of("Bearer error=\"insufficient_scope\"")));
        assertEquals(false, dev.clientauth.core.http.BearerChallenge.isInvalidToken(List.of("Basic error=\"invalid_token\"")));
        assertEquals(false, dev.clientauth.core.http.BearerChallenge.isInvalidToken(List.of()));
    }

    /** A fixed identity from the test PKI. */
    static final class TestIdentity implements TlsClientIdentity {
        private final dev.clientauth.certs.test.IssuedCertificate certificate;
        private final javax.net.ssl.X509KeyManager keyManager;

        TestIdentity(dev.clientauth.certs.test.IssuedCertificate certificate) {
            this.certificate = certificate;
            try {
                javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
                factory.init(dev.clientauth.certs.test.Pkcs12.keyStore("c", certificate, "x".toCharArray()), "x".toCharArray());
                this.keyManager = (javax.net.ssl.X509KeyManager) factory.getKeyManagers()[0];
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public javax.net.ssl.X509KeyManager keyManager() {
            return keyManager;
        }

        @Override
        public java.security.cert.X509Certificate certificate() {
            return certificate.certificate();
        }
    }
}

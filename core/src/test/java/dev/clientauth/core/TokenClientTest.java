package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.jdk.JdkHttpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenClientTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "s3cr3t-never-printed";
    private static final String TOKEN = "tok-2YotnFZFEjr1zCsicMWpAA";
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private HttpsMockServer server;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void start() throws IOException {
        server = new HttpsMockServer(PKI);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TokenClient client(ClientAuthentication auth) {
        return TokenClient.builder(server.uri("/token"), auth).tls(server.tls()).clock(clock).build();
    }

    private TokenClient basicClient() {
        return client(ClientSecretBasic.of(ClientId.of("client-1"), Secret.of(SECRET)));
    }

    private static String okBody() {
        return "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                + "\"scope\":\"read write\",\"issued_token_type\":\"urn:x\",\"ext\":{\"a\":1}}";
    }

    private TokenRequestException failWith(MockResponse response) {
        server.server.enqueue(response);
        return assertThrows(TokenRequestException.class, () -> basicClient().requestToken(TokenRequest.clientCredentials()));
    }

    private TokenRequestException failWithJson(int status, String body) {
        return failWith(new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build());
    }

    private static void assertNoSecrets(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            assertFalse(message.contains(SECRET), message);
            assertFalse(message.contains(TOKEN), message);
        }
    }

    @Test
    void clientSecretBasic_sendsFormAndHeader_parsesResponse() throws Exception {
        server.enqueueJson(200, okBody());
        TokenRequest request = TokenRequest.builder().scope("read", "write")
                .resource(URI.create("https://api.example/a")).resource(URI.create("https://api.example/b"))
                .parameter("audience_hint", "x y").build();
        TokenResponse response = basicClient().requestToken(request);

        RecordedRequest recorded = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("POST", recorded.getMethod());
        assertEquals("/token", recorded.getTarget());
        assertEquals("application/x-www-form-urlencoded", recorded.getHeaders().get("Content-Type"));
        assertEquals("application/json", recorded.getHeaders().get("Accept"));
        assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString(("client-1:" + SECRET).getBytes()),
                recorded.getHeaders().get("Authorization"));
        assertEquals("grant_type=client_credentials&scope=read+write&resource=https%3A%2F%2Fapi.example%2Fa"
                + "&resource=https%3A%2F%2Fapi.example%2Fb&audience_hint=x+y", recorded.getBody().utf8());

        AccessToken token = response.accessToken();
        assertEquals(TOKEN, token.value());
        assertEquals(TokenType.BEARER, token.type());
        assertEquals(NOW.plusSeconds(3600), token.expiresAt().orElseThrow());
        assertEquals(Duration.ofHours(1), response.expiresIn().orElseThrow());
        assertEquals(Set.of("read", "write"), token.scopes());
        assertEquals("urn:x", response.parameters().get("issued_token_type"));
        assertTrue(response.parameters().containsKey("ext"));
        assertFalse(response.parameters().containsKey("access_token"));
        assertFalse(token.toString().contains(TOKEN));
        assertFalse(response.toString().contains(TOKEN));
    }

    @Test
    void clientSecretPost_sendsCredentialsInForm() throws Exception {
        server.enqueueJson(200, okBody());
        client(ClientSecretPost.of(ClientId.of("client-1"), Secret.of("a&b"))).requestToken(TokenRequest.clientCredentials());
        RecordedRequest recorded = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("grant_type=client_credentials&client_id=client-1&client_secret=a%26b", recorded.getBody().utf8());
        assertEquals(null, recorded.getHeaders().get("Authorization"));
    }

    @Test
    void tokenType_comparedCaseInsensitively() throws Exception {
        server.enqueueJson(200, "{\"access_token\":\"x\",\"token_type\":\"bEaReR\"}");
        TokenResponse response = basicClient().requestToken(TokenRequest.clientCredentials());
        assertEquals(TokenType.BEARER, response.accessToken().type());
        assertTrue(response.accessToken().expiresAt().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"DPoP", "dpop"})
    void dpopTokenType_withoutAProofSent_refused_tokenNotLeaked(String type) {
        // a DPoP-bound token cannot be used without the proof key; handing it out as a bearer token would leak it
        TokenRequestException e = failWithJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"" + type
                + "\",\"expires_in\":60}");
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("token_type DPoP") && e.getMessage().contains("no DPoP proof"), e.getMessage());
        assertNoSecrets(e);
    }

    @Test
    void nonJson200_malformed() {
        TokenRequestException e = failWith(new MockResponse.Builder().code(200)
                .addHeader("Content-Type", "application/json").body("<html>" + TOKEN + "</html>").build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("not a JSON object"));
        assertNoSecrets(e);
    }

    @Test
    void wrongContentType_malformed() {
        TokenRequestException e = failWith(new MockResponse.Builder().code(200)
                .addHeader("Content-Type", "text/html").body("{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\"}").build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("text/html"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"string\"", "42", "null"})
    void jsonNotAnObject_malformed(String body) {
        TokenRequestException e = failWithJson(200, body);
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
    }

    @Test
    void missingAccessToken_malformed() {
        TokenRequestException e = failWithJson(200, "{\"token_type\":\"Bearer\",\"expires_in\":60}");
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("access_token"));
    }

    @Test
    void missingTokenType_malformed() {
        TokenRequestException e = failWithJson(200, "{\"access_token\":\"" + TOKEN + "\"}");
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("token_type"));
        assertNoSecrets(e);
    }

    @Test
    void unknownTokenType_malformed() {
        TokenRequestException e = failWithJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"MAC\"}");
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("unsupported token_type 'MAC'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "1.5", "\"3600\"", "99999999999", "1e30", "true", "123456789012345678901234567890"})
    void invalidExpiresIn_malformed(String expiresIn) {
        TokenRequestException e = failWithJson(200,
                "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("expires_in"), e.getMessage());
        assertNoSecrets(e);
    }

    @Test
    void bodyOverLimit_refusedWithoutReadingItAll() {
        Buffer big = new Buffer();
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i < 64; i++) { // 4 MiB
            big.write(chunk);
        }
        TokenRequestException e = failWith(new MockResponse.Builder().code(200)
                .addHeader("Content-Type", "application/json").chunkedBody(big, 8192).build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertTrue(e.getMessage().contains("exceeds the limit of 1048576 bytes"), e.getMessage());
    }

    @Test
    void bodyOverDeclaredLength_refusedBeforeReading() {
        Buffer big = new Buffer().write(new byte[2 * 1024 * 1024]);
        TokenRequestException e = failWith(new MockResponse.Builder().code(200)
                .addHeader("Content-Type", "application/json").body(big).build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
    }

    @Test
    void redirect_notFollowed() {
        TokenRequestException e = failWith(new MockResponse.Builder().code(302)
                .addHeader("Location", server.uri("/elsewhere").toString()).build());
        UnexpectedStatusException u = assertInstanceOf(UnexpectedStatusException.class, e);
        assertEquals(302, u.statusCode());
        assertTrue(e.getMessage().contains("redirect"));
        assertEquals(1, server.server.getRequestCount());
    }

    @Test
    void serverError500Html_unexpectedStatusRetryable() {
        TokenRequestException e = failWith(new MockResponse.Builder().code(500)
                .addHeader("Content-Type", "text/html").addHeader("Retry-After", "7").body("<html>oops</html>").build());
        UnexpectedStatusException u = assertInstanceOf(UnexpectedStatusException.class, e);
        assertEquals(500, u.statusCode());
        assertTrue(u.isRetryable());
        assertEquals(Duration.ofSeconds(7), u.retryAfter().orElseThrow());
        assertFalse(e.getMessage().contains("oops"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
            "unsupported_grant_type", "invalid_scope", "invalid_target"})
    void oauthErrorResponse_typedWithAllFields(String code) {
        int status = code.equals("invalid_client") ? 401 : 400;
        MockResponse.Builder response = new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"" + code + "\",\"error_description\":\"nope\",\"error_uri\":\"https://as.example/e\"}");
        if (status == 401) {
            response.addHeader("WWW-Authenticate", "Basic realm=\"as\"");
        }
        TokenRequestException e = failWith(response.build());
        OAuthErrorResponseException error = assertInstanceOf(OAuthErrorResponseException.class, e);
        assertEquals(OAuthErrorCode.of(code), error.error());
        assertEquals(code, error.error().value());
        assertEquals("nope", error.description().orElseThrow());
        assertEquals(URI.create("https://as.example/e"), error.uri().orElseThrow());
        assertEquals(status, error.statusCode());
        assertFalse(error.isRetryable());
        if (status == 401) {
            assertEquals("Basic realm=\"as\"", error.wwwAuthenticate().orElseThrow());
        }
        assertTrue(e.getMessage().contains(code));
        assertNoSecrets(e);
    }

    @Test
    void readTimeout_transportTimeout() {
        server.server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(okBody()).headersDelay(5, TimeUnit.SECONDS).build());
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)))
                .transport(JdkHttpTransport.builder().tls(server.tls())
                        .readTimeout(Duration.ofMillis(300)).build())
                .build();
        TokenTransportException e = assertThrows(TokenTransportException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.isTimeout());
        assertTrue(e.isRetryable());
        assertNoSecrets(e);
    }

    @Test
    void connectTimeout_transportTimeout() throws Exception {
        // A listening socket whose accept queue is full drops further SYNs, so connect hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException queueFull) {
                        s.close();
                        break;
                    }
                }
                URI endpoint = URI.create("https://127.0.0.1:" + full.getLocalPort() + "/token");
                TokenClient client = TokenClient.builder(endpoint, ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)))
                        .transport(JdkHttpTransport.builder().tls(server.tls())
                                .connectTimeout(Duration.ofMillis(300)).readTimeout(Duration.ofSeconds(2)).build())
                        .build();
                TokenTransportException e = assertThrows(TokenTransportException.class,
                        () -> client.requestToken(TokenRequest.clientCredentials()));
                assertTrue(e.isTimeout(), e.getMessage());
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void connectionClosedMidResponse_transportError() {
        server.server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(okBody() + "                                                      ")
                .onResponseBody(new SocketEffect.CloseSocket()).build());
        TokenRequestException e = assertThrows(TokenRequestException.class,
                () -> basicClient().requestToken(TokenRequest.clientCredentials()));
        assertInstanceOf(TokenTransportException.class, e);
        assertNoSecrets(e);
    }

    @Test
    void untrustedServerCertificate_tlsTransportError() {
        server.enqueueJson(200, okBody());
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)))
                .build(); // JDK default trust does not know the test root
        TokenTransportException e = assertThrows(TokenTransportException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void serverCertificateForOtherHost_hostnameVerificationFails() throws Exception {
        IssuedCertificate other = PKI.leaf("CN=other.example").serverAuth().sanDns("other.example").build();
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(dev.clientauth.certs.test.Pkcs12.keyStore("s", other, "x".toCharArray()), "x".toCharArray());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        try (mockwebserver3.MockWebServer wrongHost = new mockwebserver3.MockWebServer()) {
            wrongHost.useHttps(context.getSocketFactory());
            wrongHost.start(InetAddress.getByName("127.0.0.1"), 0);
            URI endpoint = URI.create("https://127.0.0.1:" + wrongHost.getPort() + "/token");
            TokenClient client = TokenClient.builder(endpoint, ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)))
                    .tls(server.tls()).build();
            TokenTransportException e = assertThrows(TokenTransportException.class,
                    () -> client.requestToken(TokenRequest.clientCredentials()));
            assertTrue(e.getMessage().contains("TLS"), e.getMessage());
            assertEquals(0, wrongHost.getRequestCount());
        }
    }

    @Test
    void plainHttpEndpoint_refusedUnlessLoopback() {
        ClientAuthentication auth = ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenClient.builder(URI.create("http://as.example/token"), auth).build());
        assertTrue(e.getMessage().contains("http://as.example/token"));
        assertEquals(URI.create("http://127.0.0.1:8080/token"),
                TokenClient.builder(URI.create("http://127.0.0.1:8080/token"), auth).build().tokenEndpoint());
        assertEquals(URI.create("http://localhost/token"),
                TokenClient.builder(URI.create("http://localhost/token"), auth).build().tokenEndpoint());
        assertThrows(IllegalArgumentException.class,
                () -> TokenClient.builder(URI.create("http://127.example/token"), auth).build());
    }

    @Test
    void jdkTransport_onUsersHttpClient_worksAndRefusesRedirectFollowing() throws Exception {
        server.enqueueJson(200, okBody());
        java.net.http.HttpClient users = java.net.http.HttpClient.newBuilder()
                .sslContext(server.tls().sslContext()).build();
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)))
                .transport(JdkHttpTransport.builder().httpClient(users).build()).build();
        assertEquals(TOKEN, client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
        java.net.http.HttpClient following = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
        assertThrows(IllegalArgumentException.class, () -> JdkHttpTransport.builder().httpClient(following).build());
        assertThrows(IllegalStateException.class, () -> JdkHttpTransport.builder().httpClient(users)
                .tls(server.tls()).build());
    }

    @Test
    void extraParameter_reservedName_refused() {
        assertThrows(IllegalArgumentException.class, () -> TokenRequest.builder().parameter("client_secret", "x"));
        assertThrows(IllegalArgumentException.class, () -> TokenRequest.builder().scope("a b"));
        assertThrows(IllegalArgumentException.class, () -> TokenRequest.builder().resource(URI.create("/relative")));
    }

    @Test
    void serverEchoingTheCredentials_neitherSecretNorBasicCredentialsReachTheMessage() throws Exception {
        String basic = java.util.Base64.getEncoder().encodeToString(("client-1:" + SECRET).getBytes(StandardCharsets.UTF_8));
        server.server.enqueue(new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
                .addHeader("WWW-Authenticate", "Basic realm=\"as\", error_description=\"bad " + basic + "\"")
                .body("{\"error\":\"invalid_client\",\"error_description\":\"secret " + SECRET + " for client-1:" + SECRET
                        + " (Basic " + basic + ") is wrong\"}").build());
        OAuthErrorResponseException e = assertThrows(OAuthErrorResponseException.class,
                () -> basicClient().requestToken(TokenRequest.clientCredentials()));
        assertNoSecrets(e);
        assertFalse(e.getMessage().contains(basic), e.getMessage());
        assertFalse(e.wwwAuthenticate().orElseThrow().contains(basic), e.wwwAuthenticate().orElseThrow());
        assertTrue(e.getMessage().contains("[redacted]"), e.getMessage());
        // the same for client_secret_post, whose secret travels in the form
        server.server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"invalid_client\",\"error_description\":\"got client_secret=" + SECRET + "\"}").build());
        OAuthErrorResponseException post = assertThrows(OAuthErrorResponseException.class,
                () -> client(ClientSecretPost.of(ClientId.of("client-1"), Secret.of(SECRET))).requestToken(TokenRequest.clientCredentials()));
        assertNoSecrets(post);
    }
}

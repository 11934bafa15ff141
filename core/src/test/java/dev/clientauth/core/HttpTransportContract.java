package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HttpTransport} must do with a hostile or failing server, run over each
 * transport (JDK here; OkHttp and Apache HttpClient in their modules): the same typed error for
 * the same failure.
 */
public abstract class HttpTransportContract {
    private static final TestPki PKI = TestPki.create();
    private static final Duration READ_TIMEOUT = Duration.ofMillis(700);
    private HttpsMockServer server;
    private HttpsMockServer other;

    /** A transport on {@code tls} whose response timeout is {@code readTimeout}. */
    protected abstract HttpTransport transport(ClientTls tls, Duration readTimeout);

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
        other = new HttpsMockServer(PKI);
    }

    @AfterEach
    void stop() {
        server.close();
        other.close();
    }

    private TransportResponse post(HttpTransport transport) throws TokenRequestException {
        return transport.execute(TransportRequest.post(server.uri("/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials".getBytes(StandardCharsets.UTF_8)));
    }

    private TokenRequestException failure(MockResponse response) {
        server.server.enqueue(response);
        HttpTransport transport = transport(server.tls(), READ_TIMEOUT);
        return assertThrows(TokenRequestException.class, () -> post(transport));
    }

    private static Buffer bytes(int size) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        Buffer buffer = new Buffer();
        for (int written = 0; written < size; written += chunk.length) {
            buffer.write(chunk);
        }
        return buffer;
    }

    @Test
    void okResponse_statusHeadersAndBody() throws Exception {
        server.enqueueJson(200, "{\"access_token\":\"t\"}");
        TransportResponse response = post(transport(server.tls(), READ_TIMEOUT));
        assertEquals(200, response.statusCode());
        assertEquals("{\"access_token\":\"t\"}", new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("grant_type=client_credentials", server.server.takeRequest().getBody().utf8());
    }

    @Test
    void chunkedBodyOverLimit_malformedNotRetryable() {
        TokenRequestException e = failure(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .chunkedBody(bytes(4 << 20), 8192).build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertFalse(e.isRetryable());
        assertTrue(e.getMessage().contains("exceeds the limit of 1048576 bytes"), e.getMessage());
    }

    @Test
    void declaredBodyOverLimit_malformedNotRetryable() {
        TokenRequestException e = failure(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(bytes(2 << 20)).build());
        assertInstanceOf(MalformedTokenResponseException.class, e);
        assertFalse(e.isRetryable());
    }

    @Test
    void redirect_returnedNotFollowed() throws Exception {
        for (int status : new int[] {302, 307, 308}) {
            server.server.enqueue(new MockResponse.Builder().code(status)
                    .addHeader("Location", other.uri("/steal").toString()).build());
            assertEquals(status, post(transport(server.tls(), READ_TIMEOUT)).statusCode());
        }
        assertEquals(0, other.server.getRequestCount(), "the form must not be re-posted to the Location");
    }

    @Test
    void responseTimeout_retryableTimeout() {
        TokenRequestException e = failure(new MockResponse.Builder().code(200).body("{}")
                .headersDelay(3, TimeUnit.SECONDS).build());
        TokenTransportException t = assertInstanceOf(TokenTransportException.class, e);
        assertTrue(t.isRetryable());
        assertTrue(t.isTimeout(), t.getMessage());
    }

    @Test
    void connectionClosedMidResponse_retryableTransportError() {
        TokenRequestException e = failure(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"t\",\"token_type\":\"Bearer\"}" + " ".repeat(4096))
                .onResponseBody(new SocketEffect.CloseSocket()).build());
        assertInstanceOf(TokenTransportException.class, e);
        assertTrue(e.isRetryable());
    }

    @Test
    void untrustedServerCertificate_tlsFailure() {
        server.enqueueJson(200, "{}");
        HttpTransport transport = transport(ClientTls.defaults(), READ_TIMEOUT);
        TokenRequestException e = assertThrows(TokenRequestException.class, () -> post(transport));
        assertInstanceOf(TokenTransportException.class, e);
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
        assertEquals(0, server.server.getRequestCount());
    }

    @Test
    void html500_returnedAsIs_andTypedByTheTokenClient() throws Exception {
        server.server.enqueue(new MockResponse.Builder().code(500).addHeader("Content-Type", "text/html")
                .body("<html><body>down</body></html>").build());
        assertEquals(500, post(transport(server.tls(), READ_TIMEOUT)).statusCode());
        server.server.enqueue(new MockResponse.Builder().code(500).addHeader("Content-Type", "text/html")
                .body("<html><body>down</body></html>").build());
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(ClientId.of("c"), Secret.of("s")))
                .transport(transport(server.tls(), READ_TIMEOUT)).build();
        UnexpectedStatusException e = assertThrows(UnexpectedStatusException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertEquals(500, e.statusCode());
        assertTrue(e.isRetryable());
    }
}

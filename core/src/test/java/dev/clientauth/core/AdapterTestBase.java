package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.certs.test.TestPki;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every API adapter is tested against: a real HTTPS token endpoint and API on 127.0.0.1, a
 * second origin to redirect to, and the shared assertions. Subclasses in each adapter's module.
 */
public abstract class AdapterTestBase {
    protected static final TestPki PKI = TestPki.create();
    protected HttpsMockServer server;
    /** Another origin (another port) that records what reaches it. */
    protected HttpsMockServer other;
    protected final AtomicInteger tokens = new AtomicInteger();
    protected final LinkedBlockingQueue<MockResponse> apiScript = new LinkedBlockingQueue<>();
    protected final List<String> apiAuthorizations = new CopyOnWriteArrayList<>();
    protected final List<String> otherAuthorizations = new CopyOnWriteArrayList<>();
    protected TokenSource source;

    @BeforeEach
    void startServers() throws Exception {
        server = new HttpsMockServer(PKI);
        other = new HttpsMockServer(PKI);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/token")) {
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("{\"access_token\":\"tok-" + tokens.incrementAndGet() + "\",\"token_type\":\"Bearer\","
                                    + "\"expires_in\":3600}").build();
                }
                apiAuthorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
                MockResponse next = apiScript.poll();
                return next != null ? next : new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        other.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                otherAuthorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
                return new MockResponse.Builder().code(200).body("other").build();
            }
        });
        source = TokenSource.forTokenEndpoint(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .tls(server.tls()).build();
    }

    @AfterEach
    void stopServers() {
        source.close();
        server.close();
        other.close();
    }

    /** A source allowed to send tokens only to {@code origins}. */
    protected TokenSource restrictedTo(URI... origins) {
        source.close();
        source = TokenSource.forTokenEndpoint(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .tls(server.tls()).sendTokensOnlyTo(origins).build();
        return source;
    }

    /** The API answers with a redirect to the other origin. */
    protected void redirectToOtherOrigin(int status) {
        apiScript.add(new MockResponse.Builder().code(status).addHeader("Location", other.uri("/elsewhere").toString())
                .body("").build());
    }

    protected static MockResponse invalidToken() {
        return new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"expired\"")
                .body("").build();
    }

    protected void assertOneRefreshAndRetry(int status) {
        assertEquals(200, status);
        assertEquals(List.of("Bearer tok-1", "Bearer tok-2"), apiAuthorizations);
        assertEquals(2, tokens.get());
    }

    protected void assertSecond401ReturnedToCaller(int status) {
        assertEquals(401, status);
        assertEquals(2, apiAuthorizations.size());
    }

    /** The redirect was followed (or not) and the other origin never saw the token. */
    protected void assertNoTokenReachedOtherOrigin() {
        for (String authorization : otherAuthorizations) {
            assertEquals("null", authorization, "the token went to another origin");
        }
    }

    /** A plain-http, non-loopback URI: tokens must never be sent there. */
    protected static URI cleartextRemote() {
        return URI.create("http://api.example.invalid/accounts");
    }
}

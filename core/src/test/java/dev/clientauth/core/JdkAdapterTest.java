package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.core.internal.BearerChallenge;
import dev.clientauth.core.jdk.BearerHttpClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** The JDK HttpClient adapter against a real HTTPS token endpoint and API on 127.0.0.1. */
class JdkAdapterTest extends AdapterTestBase {
    private BearerHttpClient jdk() {
        return BearerHttpClient.of(source);
    }

    private int get(BearerHttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void bearerAdded_invalidTokenRetriedOnce() throws Exception {
        assertEquals(200, get(jdk(), server.uri("/api")));
        assertEquals(List.of("Bearer tok-1"), apiAuthorizations);
        apiAuthorizations.clear();
        source.invalidate(source.token());
        apiScript.add(invalidToken());
        assertEquals(200, get(jdk(), server.uri("/api")));
        assertEquals(List.of("Bearer tok-2", "Bearer tok-3"), apiAuthorizations);
    }

    @Test
    void secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        assertSecond401ReturnedToCaller(get(jdk(), server.uri("/api")));
    }

    @Test
    void streamingBody_notRetried() throws Exception {
        apiScript.add(invalidToken());
        HttpRequest request = HttpRequest.newBuilder(server.uri("/api"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[] {1, 2, 3}))).build();
        assertEquals(401, jdk().send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, apiAuthorizations.size());
    }

    @Test
    void async_retriedOnce() throws Exception {
        apiScript.add(invalidToken());
        assertOneRefreshAndRetry(jdk().sendAsync(HttpRequest.newBuilder(server.uri("/api")).build(),
                HttpResponse.BodyHandlers.ofString()).get().statusCode());
    }

    @Test
    void redirectToAnotherOrigin_notFollowed_tokenNotSent() throws Exception {
        redirectToOtherOrigin(307);
        BearerHttpClient client = BearerHttpClient.install(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS),
                source);
        assertEquals(307, get(client, server.uri("/api")));
        assertEquals(HttpClient.Redirect.NEVER, client.httpClient().followRedirects());
        assertTrue(otherAuthorizations.isEmpty());
    }

    @Test
    void cleartextRemoteDestination_refusedBeforeAnyTokenRequest() throws Exception {
        TokenNotSentException e = assertThrows(TokenNotSentException.class, () -> get(jdk(), cleartextRemote()));
        assertTrue(e.getMessage().contains("api.example.invalid"), e.getMessage());
        assertEquals(0, tokens.get());
        ExecutionException async = assertThrows(ExecutionException.class, () -> jdk().sendAsync(
                HttpRequest.newBuilder(cleartextRemote()).build(), HttpResponse.BodyHandlers.ofString()).get());
        assertTrue(async.getCause() instanceof TokenNotSentException);
    }

    @Test
    void allowList_otherOriginRefused_listedOriginServed() throws Exception {
        restrictedTo(URI.create(server.uri("/").toString()));
        assertEquals(200, get(jdk(), server.uri("/api")));
        assertThrows(TokenNotSentException.class, () -> get(jdk(), other.uri("/api")));
        assertTrue(otherAuthorizations.isEmpty());
    }

    @Test
    void boundSource_apiCallsPresentTheSourcesCertificate() throws Exception {
        TlsClientIdentity identity = new TestIdentity(PKI.clientCertificate());
        try (HttpsMockServer mtls = new HttpsMockServer(PKI, ServerTls.ClientAuth.NEED);
                TokenSource bound = TokenSource.forTokenEndpoint(mtls.uri("/token"),
                        ClientSecretPost.of(ClientId.of("c"), Secret.of("s"))).tls(mtls.tls(identity)).build()) {
            mtls.enqueueJson(200, "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":60}");
            mtls.server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            assertEquals(200, get(BearerHttpClient.of(bound), mtls.uri("/api")));
            mtls.server.takeRequest();
            RecordedRequest api = mtls.server.takeRequest();
            assertEquals("Bearer t", api.getHeaders().get("Authorization"));
            assertEquals(identity.certificate(), api.getHandshake().peerCertificates().get(0));
        }
    }

    @Test
    void bearerChallenge_parsing() {
        assertTrue(BearerChallenge.isInvalidToken(List.of("Bearer error=\"invalid_token\"")));
        assertTrue(BearerChallenge.isInvalidToken(List.of("Basic realm=x", "bearer realm=\"a\",error=invalid_token")));
        assertFalse(BearerChallenge.isInvalidToken(List.of("Bearer error=\"insufficient_scope\"")));
        assertFalse(BearerChallenge.isInvalidToken(List.of("Basic error=\"invalid_token\"")));
        assertFalse(BearerChallenge.isInvalidToken(List.of()));
    }
}
